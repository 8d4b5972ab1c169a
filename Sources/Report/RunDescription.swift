import Foundation

/// `report/run.json`: what a run folder holds beyond its numbers, for the report: the run's
/// title, the command that wrote it, how its pictures scale heatmaps and which test images
/// its gallery shows.
public struct RunDescription: Sendable, Equatable, Codable {
    /// A title such as `FCDD FCDD_CNN28_W, Fashion-MNIST, nominal: T-shirt/top`.
    public var title: String
    /// The command that wrote the folder, such as `fcdd train`.
    public var command: String
    /// How the gallery and `heatmaps.png` scale heatmaps (``HeatmapDisplay/description``).
    public var heatmapDisplay: String
    /// The gallery's test images; `nil` when the run wrote no gallery.
    public var gallery: GallerySelection?

    /// A description; see the properties.
    public init(title: String, command: String, heatmapDisplay: String, gallery: GallerySelection?) {
        self.title = title
        self.command = command
        self.heatmapDisplay = heatmapDisplay
        self.gallery = gallery
    }

    /// Writes the description to `report/run.json` in `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw .writeFailed(path: folder.appendingPathComponent(RunFile.description).path, reason: "\(error)")
        }
        try RunFile.write(data, to: RunFile.description, in: folder)
    }

    /// The description in `folder`'s `report/run.json`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when it is not as
    ///   ``write(into:)`` writes it.
    public static func read(from folder: URL) throws(ReportError) -> RunDescription? {
        guard let data = try RunFile.read(RunFile.description, in: folder) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(RunDescription.self, from: data)
        } catch {
            throw .unreadableFile(
                path: folder.appendingPathComponent(RunFile.description).path,
                expected: "the run description that fcdd train and evaluate write", found: ReportError.problem(error))
        }
    }
}
