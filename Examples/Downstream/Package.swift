// swift-tools-version: 6.1
import PackageDescription

// A package that uses FCDDSwift exactly as a user's package would: its own fully
// convolutional net and its own objective, trained, explained, saved and loaded through the
// library's public API only. Run it from the repository root:
//   swift run --package-path Examples/Downstream downstream [output-directory]
// Documentation/BuildYourOwnModel.md walks through it.
//
// In your own package, depend on the library by URL instead:
//   .package(url: "https://github.com/<owner>/FCDDSwift.git", branch: "main")
let package = Package(
    name: "Downstream",
    dependencies: [
        // The name keeps product references stable whatever the clone's folder is called.
        .package(name: "FCDDSwift", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "downstream",
            dependencies: [
                .product(name: "FCDD", package: "FCDDSwift"),
                .product(name: "NN", package: "FCDDSwift"),
                .product(name: "Datasets", package: "FCDDSwift"),
                .product(name: "Explain", package: "FCDDSwift"),
                .product(name: "TensorCore", package: "FCDDSwift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
