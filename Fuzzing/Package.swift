// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the readers of untrusted files: PNG, JPEG, gzip + IDX, CIFAR,
// safetensors and model files. Each target is an executable whose only source file defines
// `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`. The sanitizer flags are not written
// here (the project keeps `unsafeFlags` out of every manifest): Scripts/fuzz.sh passes them,
//   swift build -c release --package-path Fuzzing --sanitize=fuzzer --sanitize=address
// Sources/FCDD/FCDD.docc/Reliability.md lists the runs and what they found.
let package = Package(
    name: "FCDDFuzzing",
    platforms: [.macOS(.v15)],  // as FCDDSwift's
    dependencies: [
        // The name keeps product references stable whatever the clone's folder is called.
        .package(name: "FCDDSwift", path: "..")
    ],
    targets: [
        .executableTarget(name: "FuzzPNG", dependencies: [.product(name: "Datasets", package: "FCDDSwift")]),
        .executableTarget(name: "FuzzJPEG", dependencies: [.product(name: "Datasets", package: "FCDDSwift")]),
        .executableTarget(name: "FuzzGzipIDX", dependencies: [.product(name: "Datasets", package: "FCDDSwift")]),
        .executableTarget(name: "FuzzCIFAR", dependencies: [.product(name: "Datasets", package: "FCDDSwift")]),
        .executableTarget(name: "FuzzSafeTensors", dependencies: [.product(name: "NN", package: "FCDDSwift")]),
        .executableTarget(
            name: "FuzzModelFile",
            dependencies: [
                .product(name: "FCDD", package: "FCDDSwift"),
                .product(name: "NN", package: "FCDDSwift"),
                .product(name: "Datasets", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
