// swift-tools-version:6.0
//
// The CNN interpretability workbook: a tensor engine, file formats, imaging, the lessons and their
// reference solutions. Toolchain only: no package dependencies.
import PackageDescription

/// `swift test` builds in debug, where numeric Swift runs >100x slower than optimised code. The
/// numeric targets are therefore always compiled with `-O`, also in debug builds (`@testable import`
/// keeps working). Only the root package may use unsafe flags, which is what this package is.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "CNNInterpretabilityWorkbook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "workbook", targets: ["workbook"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
    ],
    targets: [
        // The tensor and reverse-mode autodiff engine: ops, layers, hooks, optimisers.
        .target(name: "TensorEngine", swiftSettings: optimised),
        // Checksums and compression: CRC-32, Adler-32, SHA-256, deflate/inflate, zlib, gzip.
        .target(name: "Codecs", swiftSettings: optimised),
        // 8-bit images, PNG, colormaps, overlays, grids, charts, image comparison.
        .target(name: "Imaging", dependencies: ["Codecs"], swiftSettings: optimised),
        // IDX, CIFAR-10 binary, safetensors, NPY.
        .target(name: "DataFormats", dependencies: ["Codecs"], swiftSettings: optimised),
        // Shared helpers for every test target: gradient checks, seeded data, golden images.
        .target(name: "TestSupport", dependencies: ["TensorEngine", "Imaging"]),
        .executableTarget(
            name: "workbook",
            dependencies: ["TensorEngine", "Codecs", "Imaging", "DataFormats"],
            swiftSettings: optimised),

        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "TestSupport"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Codecs", "TestSupport"]),
        .testTarget(name: "DataFormatsTests", dependencies: ["DataFormats", "Codecs"]),
    ]
)
