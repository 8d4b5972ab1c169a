extension Duration {
    /// The duration in seconds, for the package's timings and progress lines.
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
