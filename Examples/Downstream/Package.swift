// swift-tools-version: 6.1
import PackageDescription

// A package that uses FCDDSwift exactly as a user's package would: its own fully
// convolutional net and its own objective, trained, explained, saved and loaded through the
// library's public API only. Run it from the repository root:
//   swift run --package-path Examples/Downstream downstream [output-directory]
// The article Sources/FCDD/FCDD.docc/BuildYourOwnModel.md walks through it.
//
// In your own package, depend on the library by URL and version instead (README, "Using the
// library from your package"; the tag 0.1.0 is created when the repository is published):
//   .package(url: "https://github.com/<owner>/FCDDSwift.git", from: "0.1.0")
let package = Package(
    name: "Downstream",
    platforms: [.macOS(.v15)],  // as FCDDSwift's
    dependencies: [
        // The name keeps product references stable whatever the clone's folder is called.
        .package(name: "FCDDSwift", path: "../..")
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
        )
    ],
    swiftLanguageModes: [.v6]
)
