// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main package's `swift test` stays fast.
// Run from the repository root, for example:
//   swift run -c release --package-path Benchmarks tensor-bench
let package = Package(
    name: "Benchmarks",
    dependencies: [
        .package(name: "FCDDSwift", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "kernel-bench",
            dependencies: [
                .product(name: "TensorCore", package: "FCDDSwift"),
                .product(name: "COpenBLAS", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "tensor-bench",
            dependencies: [
                .product(name: "TensorCore", package: "FCDDSwift"),
                .product(name: "COpenBLAS", package: "FCDDSwift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
