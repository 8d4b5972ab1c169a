/// One convolution layer of an FCDD net at its training batch size: the shapes that
/// `kernel-bench` and the `ConvolutionBenchmarks` suite time.
public struct ConvolutionShape: Sendable {
    /// Short name, e.g. `fmnist_c1`.
    public let name: String
    public let batch, inputChannels, outputChannels, kernel, padding, size: Int

    /// 2·N·Cout·H·W·Cin·k² multiply-adds of the forward pass (stride 1, same padding).
    public var forwardFlops: Double {
        2 * Double(batch * outputChannels * size * size) * Double(inputChannels * kernel * kernel)
    }

    /// The layers named in the kernels issue: the Fashion-MNIST, CIFAR-10 and VGG FCDD nets.
    public static let fcddLayers = [
        ConvolutionShape(name: "fmnist_c1", batch: 128, inputChannels: 1, outputChannels: 128, kernel: 5, padding: 2, size: 28),
        ConvolutionShape(name: "fmnist_c2", batch: 128, inputChannels: 128, outputChannels: 128, kernel: 5, padding: 2, size: 14),
        ConvolutionShape(name: "cifar_c1", batch: 128, inputChannels: 3, outputChannels: 128, kernel: 3, padding: 1, size: 32),
        ConvolutionShape(name: "cifar_c2", batch: 128, inputChannels: 128, outputChannels: 256, kernel: 3, padding: 1, size: 16),
        ConvolutionShape(name: "cifar_c3", batch: 128, inputChannels: 256, outputChannels: 256, kernel: 3, padding: 1, size: 16),
        ConvolutionShape(name: "cifar_c4", batch: 128, inputChannels: 256, outputChannels: 128, kernel: 3, padding: 1, size: 8),
        ConvolutionShape(name: "vgg_c1", batch: 16, inputChannels: 3, outputChannels: 64, kernel: 3, padding: 1, size: 224),
        ConvolutionShape(name: "vgg_c2", batch: 16, inputChannels: 64, outputChannels: 128, kernel: 3, padding: 1, size: 112),
        ConvolutionShape(name: "vgg_c4", batch: 16, inputChannels: 256, outputChannels: 256, kernel: 3, padding: 1, size: 56),
        ConvolutionShape(name: "vgg_c6", batch: 16, inputChannels: 512, outputChannels: 512, kernel: 3, padding: 1, size: 28),
    ]
}
