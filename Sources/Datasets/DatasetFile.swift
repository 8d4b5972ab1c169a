import Foundation

/// Reading one dataset file from disk, decompressed when it is gzipped.
public enum DatasetFile {
    /// The contents of the file at `url`, gzip-decompressed when its name ends in `.gz` or it
    /// starts with the gzip magic bytes.
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` when there is
    ///   no such file, ``DatasetError/unreadableFile(file:reason:)`` when it cannot be read,
    ///   and the gzip errors of ``Gzip/decompress(_:file:limits:)``, which inflates within
    ///   `limits`.
    public static func contents(of url: URL, limits: DatasetLimits = .default) throws(DatasetError) -> Data {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingFiles(
                directory: url.deletingLastPathComponent().path, expected: [path],
                howToObtain: "Check the path.")
        }
        if isDirectory.boolValue {
            throw .unreadableFile(file: path, reason: "expected a file, found a directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(file: path, reason: error.localizedDescription)
        }
        if url.pathExtension.lowercased() == "gz" || Gzip.hasMagic(data) {
            return try Gzip.decompress(data, file: path, limits: limits)
        }
        return data
    }
}
