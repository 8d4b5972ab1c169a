// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main package's `swift test` stays fast.
// Run from the repository root:
//   swift run -c release --package-path Benchmarks tensor-bench    # elementwise, reductions, matmul
//   swift run -c release --package-path Benchmarks kernel-bench    # conv, pooling, batch norm, sgemm
//   swift run -c release --package-path Benchmarks nn-bench        # optimiser steps, safetensors I/O
//   swift run -c release --package-path Benchmarks data-bench      # decoding + augmentation, images/s
//   swift run -c release --package-path Benchmarks fcdd-bench      # whole FCDD training/inference steps, img/s, peak RSS
//   swift run -c release --package-path Benchmarks soak-bench      # resident memory over 10,000 training steps
//   swift run -c release --package-path Benchmarks epoch-bench     # real epochs: data wait, steps and the rest
//   swift package --package-path Benchmarks benchmark               # the package-benchmark suite
let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],  // as FCDDSwift's
    dependencies: [
        .package(name: "FCDDSwift", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "FCDDLayerShapes"),
        .target(name: "BenchSupport", dependencies: [.product(name: "TensorCore", package: "FCDDSwift")]),
        .executableTarget(
            name: "kernel-bench",
            dependencies: [
                "BenchSupport",
                "FCDDLayerShapes",
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "tensor-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "nn-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "NN", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "data-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "Datasets", package: "FCDDSwift"),
                .product(name: "FCDD", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "fcdd-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "FCDD", package: "FCDDSwift"),
                .product(name: "NN", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "soak-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "Datasets", package: "FCDDSwift"),
                .product(name: "FCDD", package: "FCDDSwift"),
                .product(name: "NN", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "epoch-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "Datasets", package: "FCDDSwift"),
                .product(name: "FCDD", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
        .executableTarget(
            name: "ConvolutionBenchmarks",
            dependencies: [
                "BenchSupport",
                "FCDDLayerShapes",
                .product(name: "TensorCore", package: "FCDDSwift"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ConvolutionBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
