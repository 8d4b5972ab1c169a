import Foundation

/// A field of `/proc/self/status` (`VmHWM`, `VmRSS`) in MiB, or -1 where there is none (not
/// Linux).
public func procStatusMegabytes(_ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return -1 }
    return kilobytes / 1024
}
