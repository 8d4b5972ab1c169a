// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "FCDDSwift",
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "TensorCore",
            dependencies: ["COpenBLAS"]
        ),
        .testTarget(
            name: "TensorCoreTests",
            dependencies: ["TensorCore"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
