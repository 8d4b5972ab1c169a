import Foundation

/// One image file to score, found by ``expand(_:imageExtensions:)`` from the files and
/// folders a user names: where it is, the path it was given as, and a unique output name
/// that mirrors the input tree.
public struct ImageInput: Sendable, Hashable {
    /// The image file.
    public let url: URL
    /// The file or folder it was found under, as given.
    public let root: URL
    /// The path below ``root`` with `/` between components (`a/x.png`); for a file given
    /// directly its name.
    public let relativePath: String
    /// The path to show for it: the root as given, then ``relativePath`` (`photos/a/x.png`).
    public let path: String
    /// A relative path without extension, unique among the expanded inputs (compared
    /// case-insensitively, for case-insensitive file systems), under which outputs for this
    /// image are named by appending a suffix (`photos/a/x` → `photos/a/x-heatmap.png`). A
    /// folder's images go under the folder's name, mirroring the tree below it; a file given
    /// directly gets its name without extension at the top. Names taken already get `-2`,
    /// `-3`, … in input order: two roots named `good` become `good/` and `good-2/`, and
    /// `x.png` beside `x.jpg` becomes `x` and `x-2`.
    public let outputStem: String

    /// The images that `paths` name, in order: a file is taken as it is (whatever its
    /// extension; the format is recognised from its bytes when it is read), a folder gives
    /// every file below it, recursively, whose extension is one of `imageExtensions`
    /// (compared case-insensitively), sorted by path. Hidden files and folders (names starting
    /// with `.`) below a folder are skipped; symbolic links are followed and each real folder
    /// is visited once, so a link loop ends. The result depends only on the file tree, never
    /// on the order a file system lists it.
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` listing every
    ///   path that does not exist, ``DatasetError/unreadableFile(file:reason:)`` for a folder
    ///   that cannot be listed, ``DatasetError/noImages(directory:expected:)`` when no image is
    ///   found at all.
    public static func expand(
        _ paths: [URL], imageExtensions: Set<String> = ImageFolderConfiguration.defaultImageExtensions
    ) throws(DatasetError) -> [ImageInput] {
        let missing = paths.filter { !FileManager.default.fileExists(atPath: $0.path) }
        guard missing.isEmpty else {
            throw .missingFiles(
                directory: FileManager.default.currentDirectoryPath, expected: missing.map(\.relativePath),
                howToObtain: "Expected image files (\(FolderScan.describe(imageExtensions))) or folders of them.")
        }
        let extensions = Set(imageExtensions.map { $0.lowercased() })
        var names = OutputNames()
        var inputs: [ImageInput] = []
        for root in paths {
            let shown = root.relativePath
            guard FolderScan.isDirectory(root) else {
                let name = root.lastPathComponent
                let stem = names.claim(directory: "", name: (name as NSString).deletingPathExtension)
                inputs.append(ImageInput(url: root, root: root, relativePath: name, path: shown, outputStem: stem))
                continue
            }
            let standardized = root.standardizedFileURL
            let label = names.claim(directory: "", name: standardized.lastPathComponent == "/" ? "root" : standardized.lastPathComponent)
            let files = try FolderScan.files(under: standardized).filter { extensions.contains($0.pathExtension.lowercased()) }
            for file in files {
                let components = FolderScan.relativeComponents(of: file, under: standardized)
                let relative = components.joined(separator: "/")
                let directory = ([label] + components.dropLast()).joined(separator: "/")
                let stem = names.claim(directory: directory, name: (components.last.map { $0 as NSString }?.deletingPathExtension) ?? "")
                inputs.append(
                    ImageInput(
                        url: file, root: root, relativePath: relative, path: shown.hasSuffix("/") ? shown + relative : shown + "/" + relative,
                        outputStem: stem))
            }
        }
        guard !inputs.isEmpty else {
            throw .noImages(
                directory: paths.map(\.relativePath).joined(separator: ", "),
                expected: "image files (\(FolderScan.describe(extensions))) in the folders given")
        }
        return inputs
    }
}

/// The output names handed out so far, compared case-insensitively.
private struct OutputNames {
    private var taken: Set<String> = []

    /// `directory/name`, or `directory/name-2`, `-3`, … when taken, now taken.
    mutating func claim(directory: String, name: String) -> String {
        let base = directory.isEmpty ? name : directory + "/" + name
        var candidate = base, copy = 1
        while !taken.insert(candidate.lowercased()).inserted {
            copy += 1
            candidate = "\(base)-\(copy)"
        }
        return candidate
    }
}
