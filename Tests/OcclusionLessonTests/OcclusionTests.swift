import Course
import Foundation
import LessonSupport
#if canImport(OcclusionSolutions)
import OcclusionSolutions
#endif
import Testing
import TensorEngine
import TestSupport

/// A linear "model" on 3×3 images with hand-set weights, so that occluding a window (baseline b)
/// lowers the logit of class c by exactly Σ_{p ∈ window} w_c[p] · (x[p] − b):
///
///     class 0: w₀ = [1, 2, 3, 4, 5, 6, 7, 8, 9] (row-major), bias 100
///     class 1: w₁ = 1 everywhere,                           bias −50 (biases cancel in F(x) − F(x_occ))
///
/// For x = all ones, window 2, stride 1 (4 windows; window sums of w₀: 12, 16, 24, 28), the mean
/// over the covering windows is [12, 14, 16, 18, 20, 22, 24, 26, 28] for class 0 (the centre is
/// covered by all four windows: (12 + 16 + 24 + 28)/4 = 20) and 4 everywhere for class 1.
func handSetLinearModel() throws -> Sequential {
    var g = SeededGenerator(seed: 0)
    let fc = Linear(9, 2, bias: true, generator: &g)
    try fc.weight.assign([1, 2, 3, 4, 5, 6, 7, 8, 9] + [Float](repeating: 1, count: 9))
    try fc.bias.orThrow("bias").assign([100, -50])
    let model = Sequential(named: [("flatten", Flatten()), ("fc", fc)])
    model.eval()
    return model
}

/// The committed captum fixture (see Fixtures/make_occlusion_fixture.py, run with
///
///     /opt/pyref/bin/python Tests/OcclusionLessonTests/Fixtures/make_occlusion_fixture.py
///
/// ): `Occlusion(model).attribute(x, target=labels, sliding_window_shapes=(1, w, w),
/// strides=(1, s, s), baselines=0)` on the shipped mnist-gap for MNIST test images 0 and 1, for
/// (w, s) = (4, 2) and (7, 3).
struct OcclusionFixture: Decodable {
    struct Array4: Decodable { let shape: [Int]; let data: [Float] }
    struct Setting: Decodable { let window: Int; let stride: Int; let windows: Int }
    let library: String
    let indices: [Int]
    let targets: [Int]
    let settings: [Setting]
    let w4_s2: Array4
    let w7_s3: Array4

    static func load() throws -> OcclusionFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/occlusion-captum.json")
        return try JSONDecoder().decode(OcclusionFixture.self, from: Data(contentsOf: url))
    }
}

/// "rows a..<b, columns c..<d" for messages.
func describe(_ windows: [(rows: Range<Int>, columns: Range<Int>)]) -> String {
    windows.map { "(\($0.rows.lowerBound)..<\($0.rows.upperBound), \($0.columns.lowerBound)..<\($0.columns.upperBound))" }
        .joined(separator: " ")
}

@Suite("Lesson 03 — Occlusion", .graded(Exercises.lesson))
struct OcclusionTests {
    // MARK: Exercise 3.1

    @Test("Exercise 3.1: a 5×5 image, window 2, stride 2 — three positions per axis, the last cropped")
    func windowsHandChecked() throws {
        let windows = try Graded.occlusionWindows(height: 5, width: 5, window: 2, stride: 2)
        let spans = [0..<2, 2..<4, 4..<5]
        let expected = spans.flatMap { r in spans.map { c in (rows: r, columns: c) } }
        #expect(windows.count == 9,
                "⌈(5 − 2)/2⌉ + 1 = 3 positions per axis, 9 windows; received \(windows.count). ⌊(5 − 2)/2⌋ + 1 = 2 would leave the last row and column of pixels never occluded — keep the last window and crop it to the image")
        let same = windows.count == expected.count && zip(windows, expected).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns }
        #expect(same, """
            expected, row by row: \(describe(expected))
            received:             \(describe(windows))
            (windows start at 0, 2, 4; the one at 4 is cropped to 4..<5, not moved back to 3..<5)
            """)
    }

    @Test("Exercise 3.1: a 4×6 image, window 3, stride 2 — row-major order, cropped borders")
    func windowsNonSquare() throws {
        let windows = try Graded.occlusionWindows(height: 4, width: 6, window: 3, stride: 2)
        // Rows: ⌈1/2⌉ + 1 = 2 positions (0..<3, 2..<4 cropped); columns: ⌈3/2⌉ + 1 = 3 (0..<3, 2..<5, 4..<6 cropped).
        let rows = [0..<3, 2..<4], columns = [0..<3, 2..<5, 4..<6]
        let expected = rows.flatMap { r in columns.map { c in (rows: r, columns: c) } }
        let same = windows.count == expected.count && zip(windows, expected).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns }
        #expect(same, """
            expected (row offset changing slowest): \(describe(expected))
            received:                               \(describe(windows))
            """)
    }

    @Test("Exercise 3.1: ⌈(D − w)/s⌉ + 1 positions per axis; windows inside the image, covering it when stride ≤ window")
    func windowsProperties() throws {
        let cases: [(h: Int, w: Int, window: Int, stride: Int, count: Int)] = [
            (28, 28, 4, 2, 169), (28, 28, 7, 3, 64), (28, 28, 28, 1, 1), (28, 28, 1, 1, 784),
            (28, 28, 3, 5, 36), (10, 7, 3, 4, 6), (28, 28, 14, 7, 9), (28, 28, 5, 5, 36),
        ]
        for c in cases {
            let windows = try Graded.occlusionWindows(height: c.h, width: c.w, window: c.window, stride: c.stride)
            #expect(windows.count == c.count,
                    "\(c.h)×\(c.w), window \(c.window), stride \(c.stride): expected \(c.count) windows, received \(windows.count)")
            var covered = [Int](repeating: 0, count: c.h * c.w)
            // One issue per kind of problem: the first offending window and how many there are.
            var outside: [String] = [], offStride: [String] = [], badSize: [String] = []
            for (rows, columns) in windows {
                guard rows.lowerBound >= 0, rows.upperBound <= c.h, columns.lowerBound >= 0, columns.upperBound <= c.w else {
                    outside.append("(\(rows), \(columns))")
                    continue
                }
                if !(rows.lowerBound % c.stride == 0 && columns.lowerBound % c.stride == 0) { offStride.append("(\(rows), \(columns))") }
                if !(rows.count <= c.window && columns.count <= c.window && !rows.isEmpty && !columns.isEmpty) { badSize.append("(\(rows), \(columns))") }
                for r in rows { for col in columns { covered[r * c.w + col] += 1 } }
            }
            let setting = "\(c.h)×\(c.w), window \(c.window), stride \(c.stride)"
            #expect(outside.count == 0, "\(setting): \(outside.count) window(s) stick out of the image, the first \(outside.first ?? ""): crop them")
            #expect(offStride.count == 0, "\(setting): \(offStride.count) window(s) do not start at a multiple of the stride, the first \(offStride.first ?? "") — crop the last window, do not move it back")
            #expect(badSize.count == 0, "\(setting): \(badSize.count) window(s) are empty or larger than \(c.window)×\(c.window), the first \(badSize.first ?? "")")
            // With stride ≤ window the windows tile the image; a larger stride leaves gaps on purpose.
            if c.stride <= c.window, let p = covered.firstIndex(of: 0) {
                Issue.record("\(c.h)×\(c.w), window \(c.window), stride \(c.stride): pixel (\(p / c.w), \(p % c.w)) is covered by no window — the last window is missing")
            }
        }
    }

    @Test("Exercise 3.1: impossible sizes are errors")
    func windowsErrors() throws {
        _ = try Graded.occlusionWindows(height: 28, width: 28, window: 4, stride: 2)     // started?
        try expectRealError("window 0") { _ = try Graded.occlusionWindows(height: 28, width: 28, window: 0, stride: 1) }
        try expectRealError("stride 0") { _ = try Graded.occlusionWindows(height: 28, width: 28, window: 4, stride: 0) }
        try expectRealError("a negative stride") { _ = try Graded.occlusionWindows(height: 28, width: 28, window: 4, stride: -2) }
        try expectRealError("a window larger than the image") { _ = try Graded.occlusionWindows(height: 28, width: 28, window: 29, stride: 1) }
        try expectRealError("a window wider than the image") { _ = try Graded.occlusionWindows(height: 10, width: 3, window: 4, stride: 1) }
        try expectRealError("an empty image") { _ = try Graded.occlusionWindows(height: 0, width: 28, window: 1, stride: 1) }
    }

    // MARK: Exercise 3.2

    @Test("Exercise 3.2: a linear model — the mean drop over the covering windows")
    func occlusionHandChecked() throws {
        let model = try handSetLinearModel()
        let x = tensor([Float](repeating: 1, count: 18), [2, 1, 3, 3])
        let map = try Graded.occlusion(of: model, images: x, targets: [0, 1], window: 2, stride: 1, baseline: 0, batchSize: 3)
        #expect(map.shape == [2, 1, 3, 3], "the map has the shape of the images, [2, 1, 3, 3]; received \(map.shape)")
        guard map.shape == [2, 1, 3, 3] else { return }
        let class0 = Array(map.data[0..<9]), class1 = Array(map.data[9..<18])
        let expected0: [Float] = [12, 14, 16, 18, 20, 22, 24, 26, 28]
        var hint = ""
        if maxAbsoluteDifference(class0, expected0.map { -$0 }) < 1e-3 {
            hint = " — your map is the negative: the drop is F(x) − F(x occluded), positive when hiding the pixels lowers the score"
        } else if abs(class0[4] - 80) < 1e-3 {
            hint = " — the centre got 12 + 16 + 24 + 28 = 80: divide the sum by the number of windows covering the pixel (4)"
        } else if class0.allSatisfy({ $0 >= 0 && $0 <= 1 }) {
            hint = " — values in [0, 1] look like probabilities: use the raw logit, not the softmax"
        }
        #expect(maxAbsoluteDifference(class0, expected0) < 1e-3,
                "class 0 (w = 1…9, x = 1): window sums 12, 16, 24, 28; the means over the covering windows are 12, 14, …, 28 (centre 20); \(describeDifference(class0, expected0, tolerance: 1e-3))\(hint)")
        var hint1 = ""
        if maxAbsoluteDifference(class1, expected0) < 1e-3 {
            hint1 = " — that is class 0's map: use each image's own target"
        } else if abs(class1[4] - 16) < 1e-3 {
            hint1 = " — the centre got 4 · 4 = 16: divide by the number of covering windows"
        }
        #expect(maxAbsoluteDifference(class1, [Float](repeating: 4, count: 9)) < 1e-3,
                "image 1 has target class 1 (w = 1 everywhere): every window sum is 4, so the map is 4 everywhere; \(describeDifference(class1, [Float](repeating: 4, count: 9), tolerance: 1e-3))\(hint1)")
    }

    @Test("Exercise 3.2: the baseline and cropped border windows")
    func occlusionBaselineAndBorders() throws {
        let model = try handSetLinearModel()
        let x = tensor([Float](repeating: 1, count: 9), [1, 1, 3, 3])
        // Window 2, stride 2: windows 0..<2 and 2..<3 per axis, disjoint, so every pixel gets
        // its own window's drop: top-left 1+2+4+5 = 12, right column 3+6 = 9, bottom row 7+8 = 15, corner 9.
        let disjoint = try Graded.occlusion(of: model, images: x, targets: [0], window: 2, stride: 2, baseline: 0, batchSize: 64)
        let expected: [Float] = [12, 12, 9, 12, 12, 9, 15, 15, 9]
        #expect(maxAbsoluteDifference(disjoint.data, expected) < 1e-3,
                "window 2, stride 2 on 3×3 (the border windows are cropped to one row / column): expected \(expected); \(describeDifference(disjoint.data, expected, tolerance: 1e-3))")
        // Baseline 0.5: occluding replaces 1 by 0.5, so every drop halves.
        let half = try Graded.occlusion(of: model, images: x, targets: [0], window: 2, stride: 2, baseline: 0.5, batchSize: 64)
        #expect(maxAbsoluteDifference(half.data, expected.map { $0 / 2 }) < 1e-3,
                "with baseline 0.5 the window is set to 0.5, not 0: every drop is Σ w·(1 − 0.5), half of the above; \(describeDifference(half.data, expected.map { $0 / 2 }, tolerance: 1e-3))")
    }

    @Test("Exercise 3.2: batch sizes 1, 7 and 169 give identical bits; batch = each image alone")
    func occlusionBatchInvariance() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1])
        let maps = try [1, 7, 169].map { size in
            try Graded.occlusion(of: model, images: images, targets: labels, window: 4, stride: 2, baseline: 0, batchSize: size)
        }
        #expect(maps[0].shape == [2, 1, 28, 28], "the map has the shape of the images [2, 1, 28, 28]; received \(maps[0].shape)")
        #expect(maps[0].data == maps[1].data && maps[0].data == maps[2].data, """
            the result depends on batchSize (max difference 1 vs 7: \(maxAbsoluteDifference(maps[0].data, maps[1].data)), \
            1 vs 169: \(maxAbsoluteDifference(maps[0].data, maps[2].data))) — every occluded image must be scored exactly \
            once, and the drops added into the pixels in the same order whatever the chunking
            """)
        #expect(!maps[0].requiresGrad, "occlusion needs no graph: run the model inside withNoGrad { … }")
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "gradients left in the parameters: occlusion needs no backward pass")
        #expect(model.liveHookCount == 0)
        let alone = try Graded.occlusion(of: model, images: images.sliced(axis: 0, 1..<2), targets: [labels[1]], window: 4,
                                         stride: 2, baseline: 0, batchSize: 7)
        #expect(maxAbsoluteDifference(alone.data, Array(maps[1].data[784..<1568])) < 1e-5,
                "image 1 alone must get the same map as inside the batch")
    }

    @Test("Exercise 3.2: wrong arguments are errors")
    func occlusionErrors() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages([0, 1])
        _ = try Graded.occlusion(of: model, images: images, targets: labels, window: 14, stride: 14, baseline: 0, batchSize: 8)   // started?
        try expectRealError("one target for two images") {
            _ = try Graded.occlusion(of: model, images: images, targets: [7], window: 4, stride: 2, baseline: 0, batchSize: 8)
        }
        try expectRealError("target 10 of a 10-class model") {
            _ = try Graded.occlusion(of: model, images: images, targets: [7, 10], window: 4, stride: 2, baseline: 0, batchSize: 8)
        }
        try expectRealError("batchSize 0") {
            _ = try Graded.occlusion(of: model, images: images, targets: labels, window: 4, stride: 2, baseline: 0, batchSize: 0)
        }
        try expectRealError("a 30×30 window on a 28×28 image") {
            _ = try Graded.occlusion(of: model, images: images, targets: labels, window: 30, stride: 2, baseline: 0, batchSize: 8)
        }
    }

    @Test("Exercise 3.2: agrees with captum's Occlusion on mnist-gap (window 4 stride 2, window 7 stride 3)")
    func occlusionAgreesWithCaptum() throws {
        let fixture = try OcclusionFixture.load()
        let model = try Fixtures.model("mnist-gap")
        let (images, _) = try Fixtures.mnistImages(fixture.indices)
        for (setting, expected) in zip(fixture.settings, [fixture.w4_s2, fixture.w7_s3]) {
            let received = try Graded.occlusion(of: model, images: images, targets: fixture.targets, window: setting.window,
                                                stride: setting.stride, baseline: 0, batchSize: 64)
            if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                                  receivedShape: received.shape, tolerance: 1e-4,
                                                  what: "occlusion (window \(setting.window), stride \(setting.stride), \(setting.windows) windows) vs \(fixture.library)") {
                Issue.record(Comment(rawValue: problem))
            }
        }
    }

    @Test("Exercise 3.2: golden figure — occlusion of the golden test images")
    func occlusionGolden() throws {
        let model = try Fixtures.model("mnist-gap")
        let (images, labels) = try Fixtures.mnistImages(FigureContext.goldenIndices)
        let window = OcclusionDrawings.goldenWindow, stride = OcclusionDrawings.goldenStride
        let received = try Graded.occlusion(of: model, images: images, targets: labels, window: window, stride: stride,
                                            baseline: 0, batchSize: 128)
        let expected = try Reference.occlusion(of: model, images: images, targets: labels, window: window, stride: stride,
                                                        baseline: 0, batchSize: 128)
        if let problem = MapDiagnosis.compare(received: received.data, expected: expected.data, shape: expected.shape,
                                              receivedShape: received.shape, what: "occlusion of the golden images") {
            Issue.record(Comment(rawValue: problem))
        }
        if received.shape == expected.shape {
            let captions = FigureContext.goldenIndices.map { "#\($0)" }
            StudentFigures.save(try OcclusionDrawings.goldenGrid(images: images, maps: received, captions: captions, targets: labels),
                                lesson: OcclusionDrawings.folder, name: "occlusion-golden")
        }
    }

    /// The reference figures, regenerated, against the stored PNG and NPY files (what
    /// `checkReferenceFigures` does, plus the list of names). The graded tests compare the
    /// student's maps with the reference computed live, so figure drift never fails an exercise.
    #if canImport(OcclusionSolutions)
    @Test("Reference figures match their goldens (solutions mode)", .enabled(if: checksReferenceFigures))
    func referenceFigures() throws {
        let figures = try OcclusionFigures.make(FigureContext(mnistTest: Fixtures.mnistTest()))
        #expect(figures.map(\.name) == ["occlusion-golden", "occlusion-window-sizes", "occlusion-colour"])
        for figure in figures {
            if let problem = GoldenFigures.check(figure, in: LessonPaths.figures(OcclusionDrawings.folder)) {
                Issue.record(Comment(rawValue: "reference figure \(figure.name) no longer matches its golden: \(problem)"))
            }
        }
    }
    #endif
}
