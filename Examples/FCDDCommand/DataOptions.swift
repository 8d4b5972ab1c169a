import ArgumentParser
import Datasets
import FCDD
import Foundation

/// The data sets `fcdd train` and `fcdd evaluate` read.
enum DatasetName: String, ExpressibleByArgument, CaseIterable, Codable {
    case fashionMNIST = "fashion-mnist"
    case mnist
    case cifar10
    case mvtec
    case folder
}

/// Which data a run uses and how its test set is made: shared by `fcdd train` and
/// `fcdd evaluate`, so that an evaluation with the same options sees the same test set
/// (the same held-out normal images and the same real anomalies kept out of it).
struct DataOptions: ParsableArguments {
    @Option(help: "The data set: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: DatasetName = .fashionMNIST

    @Option(
        help: ArgumentHelp(
            "The data set's directory: the four IDX files (fashion-mnist, mnist), the CIFAR-10 binary batches (cifar10), the MVTec-AD root (mvtec) or a folder with one sub-folder per image group (folder). Default for fashion-mnist: the bundled sample.",
            valueName: "dir"))
    var data: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The normal class: 0-9 for fashion-mnist, mnist and cifar10; a category name or index for mvtec; the sub-folder of normal images for folder (e.g. MT_Free). fcdd train and compare also take all (every class; not for folder) or a comma-separated list (fashion-mnist, mnist, cifar10, mvtec) and then run a sweep, one run per class (and seed of --seeds).",
            valueName: "class"))
    var normalClass: String = "0"

    @Option(
        parsing: .unconditional,
        help: "folder: the fraction of the normal images held out for testing (seeded); every other sub-folder is anomalous and tested.")
    var testFraction = 0.3

    @Option(
        help: ArgumentHelp(
            "folder: the mask file of each image, beside it, as a name pattern ({name}: the image's name without extension), e.g. {name}.png for the Magnetic Tile Defect set.",
            valueName: "pattern"))
    var maskPattern: String?

    @Option(help: "folder: the channels images get: grey, rgb or asStored (1 for grey files, 3 for colour ones).")
    var channels: ImageChannelMode = .asStored

    @Option(
        parsing: .unconditional,
        help:
            "mvtec and folder: train with this many real anomalies (with their masks) per defect type or anomalous sub-folder instead of synthetic ones; they are removed from the test set."
    )
    var supervisedAnomalies: Int?

    @Option(parsing: .unconditional, help: "Seed of the weights, data order, augmentation, anomalies and the folder split.")
    var seed: UInt64 = 0

    @OptionGroup(title: "Memory limits for reading files")
    var limits: LimitOptions

    func validate() throws {
        let listed = normalClass == Self.allClasses ? [] : normalClass.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        switch dataset {
        case .fashionMNIST, .mnist, .cifar10:
            for entry in listed where !(Int(entry).map { (0..<10).contains($0) } ?? false) {
                throw ValidationError("--normal-class must be in 0...9 for \(dataset.rawValue), found \(entry).")
            }
            if dataset != .fashionMNIST, data == nil { throw ValidationError("--dataset \(dataset.rawValue) needs --data DIR.") }
            if supervisedAnomalies != nil { throw ValidationError("--supervised-anomalies needs a data set with masks (mvtec or folder).") }
        case .mvtec:
            guard data != nil else { throw ValidationError("--dataset mvtec needs --data DIR, the MVTec-AD root.") }
            for entry in listed where !(Int(entry).map({ (0..<MVTecAD.categories.count).contains($0) }) ?? MVTecAD.categories.contains(entry)) {
                throw ValidationError(
                    "--normal-class \(entry) is not an MVTec-AD category; expected one of \(MVTecAD.categories.joined(separator: ", ")) or its index 0...\(MVTecAD.categories.count - 1)."
                )
            }
        case .folder:
            guard data != nil else { throw ValidationError("--dataset folder needs --data DIR.") }
            if normalClass == Self.allClasses {
                throw ValidationError(
                    "--normal-class all: a folder data set has no list of classes to sweep (its normal sub-folder is the one class, every other is anomalous); name the normal sub-folder, and sweep seeds with --seeds."
                )
            }
            guard testFraction > 0, testFraction < 1 else { throw ValidationError("--test-fraction must be in (0, 1), found \(testFraction).") }
            if supervisedAnomalies != nil, maskPattern == nil { throw ValidationError("--supervised-anomalies needs masks: give --mask-pattern.") }
        }
        if let supervisedAnomalies, supervisedAnomalies < 1 {
            throw ValidationError("--supervised-anomalies must be at least 1, found \(supervisedAnomalies).")
        }
        var seen = Set<String>()
        if let twice = normalClasses.first(where: { !seen.insert($0).inserted }) {
            throw ValidationError("--normal-class \(normalClass) names the class \(twice) twice.")
        }
    }

    /// The `--normal-class` that names every class of the data set.
    static let allClasses = "all"

    /// The normal classes `--normal-class` names, as the run folders of a sweep name them:
    /// every class of the data set for `all`, else the comma-separated ones (benchmark
    /// classes as numbers, MVTec-AD categories by name); a folder data set's one sub-folder
    /// (whose name may hold commas).
    var normalClasses: [String] {
        let listed = normalClass.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        switch dataset {
        case .fashionMNIST, .mnist, .cifar10:
            return normalClass == Self.allClasses ? (0..<10).map(String.init) : listed.map { Int($0).map(String.init) ?? $0 }
        case .mvtec:
            // validate() checked the indices.
            return normalClass == Self.allClasses ? MVTecAD.categories : listed.map { Int($0).map { MVTecAD.categories[$0] } ?? $0 }
        case .folder:
            return [normalClass]
        }
    }

    /// The MVTec-AD category `--normal-class` names.
    var mvtecCategory: String {
        Int(normalClass).map { MVTecAD.categories[$0] } ?? normalClass
    }

    /// The benchmark class index of `--normal-class` (validated for the benchmarks).
    var classIndex: Int { Int(normalClass) ?? 0 }

    /// The library's description of the data these options name.
    var source: OneClassDataSource {
        let directory = data.map { URL(fileURLWithPath: $0, isDirectory: true) }
        // validate() made sure the directory exists where the data set needs one.
        let root = directory ?? URL(fileURLWithPath: ".", isDirectory: true)
        return switch dataset {
        case .fashionMNIST: .fashionMNIST(directory: directory, normalClass: classIndex)
        case .mnist: .mnist(directory: root, normalClass: classIndex)
        case .cifar10: .cifar10(directory: root, normalClass: classIndex)
        case .mvtec: .mvtecAD(root: root, category: mvtecCategory, supervisedAnomalies: supervisedAnomalies, seed: seed)
        case .folder:
            .imageFolder(
                root: root, normalFolder: normalClass, testFraction: testFraction, maskPattern: maskPattern, channels: channels,
                supervisedAnomalies: supervisedAnomalies, seed: seed)
        }
    }

    /// Reads the data, under the `--max-…` limits: the nominal training images, the test
    /// set, the real anomalies for semi-supervised training, and names for messages.
    func load() throws -> OneClassData {
        limits.apply()
        return try OneClassData.load(source)
    }
}

extension ImageChannelMode: ExpressibleByArgument {}
