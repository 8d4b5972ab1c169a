import Datasets
import Foundation
import TensorCore

// Internal helpers shared by the rendering files: shape checks, images whose sizes are
// known to be valid, and writing files atomically with the module's errors.

/// Helpers for the rendering files (a namespace, so the names stay out of the module's scope).
enum RenderingSupport {
    /// The height and width of a heatmap or mask of shape `[H, W]` with `H, W ≥ 1`.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` otherwise.
    static func mapSize(_ map: Tensor, operation: String) throws(ExplainError) -> (height: Int, width: Int) {
        guard map.rank == 2, map.shape[0] >= 1, map.shape[1] >= 1 else {
            throw .shapeMismatch(operation: operation, expected: "a map [H, W] with H, W ≥ 1", found: [map.shape])
        }
        return (map.shape[0], map.shape[1])
    }

    /// The count, height and width of a batch of maps of shape `[N, H, W]` with `H, W ≥ 1`.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` otherwise.
    static func batchSize(_ maps: Tensor, operation: String, name: String) throws(ExplainError) -> (count: Int, height: Int, width: Int) {
        guard maps.rank == 3, maps.shape[1] >= 1, maps.shape[2] >= 1 else {
            throw .shapeMismatch(operation: operation, expected: "\(name) [N, H, W] with H, W ≥ 1", found: [maps.shape])
        }
        return (maps.shape[0], maps.shape[1], maps.shape[2])
    }

    /// Writes `data` to `url` through `AtomicFile`, as ``ExplainError/fileWriteFailed(path:reason:)``.
    static func writeAtomically(_ data: Data, to url: URL) throws(ExplainError) {
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw .fileWriteFailed(path: url.path, reason: error.description)
        }
    }

    /// Writes `image` as an 8-bit PNG to `url`, atomically.
    static func writePNG(_ image: Image, to url: URL) throws(ExplainError) {
        do {
            try image.writePNG(to: url, bitDepth: 8)
        } catch {
            throw .fileWriteFailed(path: url.path, reason: error.description)
        }
    }

    /// A score as figure captions print it: three significant digits (`0.0123`, `1.23`, `123`).
    static func formatScore(_ score: Float) -> String {
        guard score.isFinite else { return "\(score)" }
        return String(format: "%.3g", Double(score))
    }
}
