// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "FCDDSwift",
    // Only Linux x86-64 is built and tested (README, "Platforms"). The minimum is what the code
    // needs on Apple platforms: Synchronization's Mutex and Atomic (macOS 15).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Explain", targets: ["Explain"]),
        .library(name: "FCDD", targets: ["FCDD"]),
        .library(name: "Report", targets: ["Report"]),
        // Data-parallel training over MPI; the other libraries never need MPI.
        .library(name: "DistributedTraining", targets: ["DistributedTraining"]),
        .executable(name: "fcdd", targets: ["FCDDCommand"]),
        .executable(name: "clever-hans", targets: ["CleverHans"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target MODULE` (Scripts/docs.sh); a command
        // plugin, so it adds nothing to the products' builds.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng16",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]
        ),
        .target(
            name: "CImageCodecs",
            dependencies: ["CPNG", "CJPEG"]
        ),
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(name: "CConvolution"),
        .target(
            name: "TensorCore",
            dependencies: ["COpenBLAS", "CConvolution"]
        ),
        .target(
            name: "NN",
            dependencies: ["TensorCore"]
        ),
        .target(
            name: "Datasets",
            dependencies: ["TensorCore", "CZlib", "CImageCodecs"],
            resources: [.copy("Resources/fashion-mnist-sample")]
        ),
        .target(
            name: "Explain",
            dependencies: ["TensorCore", "NN", "Datasets"]
        ),
        .target(
            name: "FCDD",
            dependencies: ["TensorCore", "NN", "Datasets", "Explain"]
        ),
        .target(
            name: "Report",
            dependencies: ["TensorCore", "Datasets", "Explain", "FCDD"]
        ),
        .target(
            name: "DistributedTraining",
            dependencies: ["CMPI", "NN"]
        ),
        .executableTarget(
            name: "fashion-mlp",
            dependencies: [
                "TensorCore",
                "NN",
                "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/FashionMLP"
        ),
        .target(
            name: "FixtureSupport",
            dependencies: ["TensorCore"],
            path: "Tests/FixtureSupport"
        ),
        .executableTarget(
            name: "FCDDCommand",
            dependencies: [
                "TensorCore", "NN", "Datasets", "Explain", "FCDD", "Report", "DistributedTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/FCDDCommand"
        ),
        .executableTarget(
            name: "CleverHans",
            dependencies: [
                "TensorCore", "NN", "Datasets", "Explain", "FCDD",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/CleverHans"
        ),
        // Data-parallel training under mpirun (.ci/run): collectives against sums by hand, and
        // training over two processes against one.
        .executableTarget(
            name: "distributed-checks",
            dependencies: ["DistributedTraining", "FCDD", "NN", "Datasets", "Explain", "TensorCore"],
            path: "Tests/DistributedChecks"
        ),
        .testTarget(
            name: "TensorCoreTests",
            dependencies: ["TensorCore", "FixtureSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "NNTests",
            dependencies: ["NN", "TensorCore", "Datasets", "FixtureSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ExplainTests",
            dependencies: ["Explain", "NN", "Datasets", "TensorCore", "FixtureSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FCDDTests",
            dependencies: ["FCDD", "Explain", "NN", "Datasets", "TensorCore", "FixtureSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FCDDCommandTests",
            dependencies: ["FCDDCommand", "FCDD", "Report", "Explain", "Datasets", "NN", "TensorCore"]
        ),
        .testTarget(
            name: "ReportTests",
            dependencies: ["Report", "FCDD", "Explain", "Datasets", "TensorCore"]
        ),
        .testTarget(
            name: "CleverHansTests",
            dependencies: ["CleverHans", "Datasets", "Explain", "TensorCore"]
        ),
        .testTarget(
            name: "DistributedTrainingTests",
            dependencies: ["DistributedTraining", "NN"]
        ),
        .testTarget(
            name: "DatasetsTests",
            dependencies: ["Datasets", "TensorCore"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
