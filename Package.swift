// swift-tools-version:6.2
//
// The CNN interpretability workbook: a tensor engine, file formats, imaging, the lessons and their
// reference solutions. Toolchain only: no package dependencies.
//
// Swift 6.2 or later: the graders use Swift Testing's issue handling traits (6.2) to keep the
// score; an older toolchain stops here with "package requires minimum Swift tools version 6.2".
import Foundation
import PackageDescription

/// `swift test` builds in debug, where numeric Swift runs >100x slower than optimised code. The
/// numeric targets are therefore always compiled with `-O`, also in debug builds (`@testable import`
/// keeps working). Only the root package may use unsafe flags, which is what this package is.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// The engine's GEMM micro-kernel needs fused multiply-add and wide vectors to reach its speed
/// (measured on the CI machine, 2 threads, 512³: 35 GFLOP/s for the x86-64 baseline, ~100 with
/// `-target-cpu native`). Linux on x86-64 otherwise compiles for SSE2 only; Apple's toolchains
/// already target the machine's own CPU family, so the flag is Linux-only. Students compile on
/// their own machine, so "native" is always the machine that runs the code.
/// `FUSED_MULTIPLY_ADD` tells the micro-kernel it may use `addProduct` (one FMA instruction with
/// the native target; on an x86-64 CPU without FMA it would become a slow library call).
let engine: [SwiftSetting] = optimised + [
    .unsafeFlags(["-target-cpu", "native"], .when(platforms: [.linux])),
    .define("FUSED_MULTIPLY_ADD", .when(platforms: [.linux])),
]

/// The lessons, found as the folders `Lessons/NN-Topic` (the one list of lessons is the folders;
/// `Sources/Course` lists their declarations and a test checks the two agree). Each has a student
/// module (`Lessons/NN-Topic`, stubs), a reference module (`Solutions/NN-Topic`, same API plus the
/// exercise declarations, mistake catalogue and figures) and a test target
/// (`Tests/<Topic>LessonTests`) that grades whichever the mode selects (see LessonSupport).
/// SwiftPM caches the evaluated manifest by this file's text, not by the folder listing: after
/// adding a lesson folder, run `swift package reset` (or touch a line of this file) once.
let lessons: [(folder: String, topic: String)] = {
    let folder = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("Lessons")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.sorted().compactMap { name in
        guard name.count > 3, name.prefix(2).allSatisfy(\.isNumber), name.dropFirst(2).first == "-" else { return nil }
        return (name, String(name.dropFirst(3)))
    }
}()

/// What a lesson folder holds besides its Swift sources (the README, the figures, lesson 09's
/// whole-test-set figure): excluded from the lesson's module, so a build warns about nothing.
func lessonNonSources(_ folder: String) -> [String] {
    let path = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("Lessons/\(folder)").path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["README.md", "figures"]
    return names.filter { !$0.hasSuffix(".swift") && !$0.hasPrefix(".") }.sorted()
}

/// The names of `candidates` that exist in `folder` (an exclude of a missing path warns).
func existing(_ candidates: [String], in folder: String) -> [String] {
    let path = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent(folder).path
    return candidates.filter { FileManager.default.fileExists(atPath: path + "/" + $0) }
}

/// The full edition has `Solutions/` (the answers, the mistakes' code, the reference figures); the
/// student edition (`workbook student-edition`) has not, and grades against the recorded
/// references instead (`Tests/<Topic>LessonTests/Recorded`). The graders compile in both: what
/// needs the reference is inside `#if canImport(<Topic>Solutions)`.
let fullEdition = FileManager.default.fileExists(
    atPath: URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("Solutions").path)

/// Lessons whose exercises call an earlier lesson's, as students' code calls their own earlier
/// work (11.6 scores maps with 9.6's trustworthiness; lesson 11's figures run 9.5's t-SNE): each
/// module of the lesson depends on the same module of the earlier one.
let earlierLessons: [String: [String]] = ["Autoencoders": ["Embeddings"]]

let lessonTargets: [Target] = lessons.flatMap { lesson -> [Target] in
    let earlier = earlierLessons[lesson.topic] ?? []
    let solutions: [Target] = fullEdition ? [
        .target(name: "\(lesson.topic)Solutions", dependencies: ["TensorEngine", "LessonSupport", "Imaging", "ModelZoo", "Course", "LargeScaleEmbedding"]
                    + earlier.map { .target(name: "\($0)Solutions") },
                path: "Solutions/\(lesson.folder)", swiftSettings: optimised),
    ] : []
    let reference: [Target.Dependency] = fullEdition ? [.target(name: "\(lesson.topic)Solutions")] + earlier.map { .target(name: "\($0)Solutions") } : []
    return [
        // Students' code is numeric too (loops over pixels, iterative solvers): `-O` like the rest,
        // so a correct loop is never too slow for the tests' time limit. Traps (index out of range,
        // overflow) still trap, and the graders still name the exercise.
        .target(name: "\(lesson.topic)Lesson", dependencies: ["TensorEngine", "LessonSupport"] + earlier.map { .target(name: "\($0)Lesson") },
                path: "Lessons/\(lesson.folder)", exclude: lessonNonSources(lesson.folder), swiftSettings: optimised),
        .testTarget(name: "\(lesson.topic)LessonTests",
                    dependencies: [.target(name: "\(lesson.topic)Lesson")] + earlier.map { .target(name: "\($0)Lesson") } + reference
                        + ["TestSupport", "LessonSupport", "TensorEngine", "DataFormats", "Course", "GradingWire"],
                    exclude: existing(["Fixtures", "Recorded"], in: "Tests/\(lesson.topic)LessonTests")),
    ] + solutions
}

/// What the lesson runner links: the grading wire and the lessons (in the full edition also the
/// references, which the grading mode may select).
let runnerDependencies: [Target.Dependency] = {
    var dependencies: [Target.Dependency] = ["GradingWire", "LessonSupport", "TensorEngine", "Course"]
    for lesson in lessons { dependencies.append(.target(name: "\(lesson.topic)Lesson")) }
    if fullEdition { for lesson in lessons { dependencies.append(.target(name: "\(lesson.topic)Solutions")) } }
    return dependencies
}()

/// The command line, in both editions: it runs the student's exercises (`Lessons/`) and, in the
/// full edition (`FULL_EDITION`), the reference's too, with the commands that need `Solutions/`
/// (bench, figures, verify, record-references, student-edition, autograder). Its tests exercise
/// both and stay in the full edition.
let commandLineTargets: [Target] = [
    // The command line, as a library so its tests run the same entry point in-process.
    .target(
        name: "WorkbookCLI",
        dependencies: ["TensorEngine", "Codecs", "Imaging", "DataFormats", "ModelZoo", "LessonSupport", "Course", "LargeScaleEmbedding", "GradingWire"]
            + (fullEdition ? lessons.map { .target(name: "\($0.topic)Solutions") } : []) + lessons.map { .target(name: "\($0.topic)Lesson") },
        swiftSettings: optimised + (fullEdition ? [.define("FULL_EDITION")] : [])),
    .executableTarget(name: "workbook", dependencies: ["WorkbookCLI"]),
    // The lesson runner: where a student's code runs when the graders keep it out of their own
    // process (`WORKBOOK_RUNNER`; the Gradescope bundle). Lessons and the grading wire only — in the
    // full edition also the references, for the mode's sake; never the graders or the references'
    // recordings.
    .executableTarget(
        name: "lesson-runner",
        dependencies: runnerDependencies,
        path: "Sources/LessonRunner", swiftSettings: optimised),
] + (fullEdition ? [
    .testTarget(name: "WorkbookCLITests", dependencies: ["WorkbookCLI", "ModelZoo", "TensorEngine", "TestSupport", "DataFormats", "Codecs", "Imaging", "Course"],
                exclude: ["Fixtures"]),
] : [])

let package = Package(
    name: "CNNInterpretabilityWorkbook",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "workbook", targets: ["workbook"]), .library(name: "TensorEngine", targets: ["TensorEngine"])],
    targets: [
        // The tensor and reverse-mode autodiff engine: ops, layers, hooks, optimisers.
        .target(name: "TensorEngine", swiftSettings: engine),
        // Checksums and compression: CRC-32, Adler-32, SHA-256, deflate/inflate, zlib, gzip.
        .target(name: "Codecs", swiftSettings: optimised),
        // 8-bit images, PNG, colormaps, overlays, grids, charts, image comparison.
        .target(name: "Imaging", dependencies: ["Codecs"], swiftSettings: optimised),
        // IDX, CIFAR-10 binary, safetensors, NPY.
        .target(name: "DataFormats", dependencies: ["Codecs"], swiftSettings: optimised),
        // The reference models: architectures, model files, data sets, training and evaluation.
        .target(name: "ModelZoo", dependencies: ["TensorEngine", "DataFormats", "Codecs"], swiftSettings: optimised),
        // What lessons, solutions and their tests share: the "not started" error, the grading
        // mode (student, solutions, a catalogued mistake), reference figures.
        .target(name: "LessonSupport", dependencies: ["Imaging", "ModelZoo", "TensorEngine"]),
        // Shared helpers for every test target: gradient checks, seeded data, golden images.
        // `-O` too: its deterministic weights fill VGG-16's 138 million values in a test.
        .target(name: "TestSupport", dependencies: ["TensorEngine", "Codecs", "Imaging", "DataFormats", "ModelZoo", "LessonSupport", "GradingWire"],
                swiftSettings: optimised),
        // What lesson 09 shows beyond its exercises, for whole data sets: UMAP and exact k-nearest
        // neighbours without N × N matrices. No exercise's answer: both editions have it.
        .target(name: "LargeScaleEmbedding", dependencies: ["TensorEngine", "LessonSupport"], swiftSettings: optimised),
        // The grading wire: how the graders (the judge) call a student's exercises in the lesson
        // runner, a separate process: a checked binary format for tensors, matrices and networks.
        .target(name: "GradingWire", dependencies: ["TensorEngine", "LessonSupport"], swiftSettings: optimised),
        // The course: every lesson's declaration, in order (what `verify`, `grade` and `figures` run):
        // numbers, titles, stubs and the catalogued mistakes' ids. No answers: both editions have it.
        .target(name: "Course", dependencies: ["LessonSupport", "TensorEngine", "Imaging"]),

        // Fixtures are read through #filePath-relative URLs, so they are excluded from the targets.
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs"], exclude: ["Fixtures"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Codecs", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DataFormatsTests", dependencies: ["DataFormats", "Codecs"], exclude: ["Fixtures"]),
        .testTarget(name: "ModelZooTests", dependencies: ["ModelZoo", "TensorEngine", "DataFormats", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CourseTests", dependencies: ["Course", "LessonSupport", "TestSupport", "DataFormats", "TensorEngine"]),
        .testTarget(name: "GradingWireTests", dependencies: ["GradingWire", "TensorEngine", "LessonSupport", "Codecs", "TestSupport"]),
    ] + lessonTargets + commandLineTargets
)
