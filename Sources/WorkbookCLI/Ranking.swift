import LessonSupport
import Foundation
import TensorEngine

/// What `workbook rank` measures: every explanation method × every metric that applies to the
/// data, per image, then the mean with a seeded bootstrap interval. Lesson 10's exercises do the
/// measuring (the reference's, or the student's with `--implementation student`); this file only
/// organises it.
struct Ranking {
    /// A metric, whether larger is better, and what it needs from the data.
    enum Metric: String, CaseIterable {
        case deletion = "deletion AUC", insertion = "insertion AUC", road = "ROAD", pointing = "pointing game"
        case mass = "relevance mass", rank = "rank accuracy", decoy = "decoy share"
        /// Larger is better; the decoy share has no better direction (a model that reads the swatch
        /// *should* be shown reading it), so it counts as "lower" only in the CSV column.
        var higherIsBetter: Bool { self != .deletion && self != .decoy }
        /// The table's and chart's reading hint.
        var direction: String { self == .decoy ? "(on the swatch)" : higherIsBetter ? "↑" : "↓" }
        /// The column name in the CSV file.
        var key: String { rawValue.replacingOccurrences(of: " ", with: "-") }
    }

    /// One data set to rank on: `[N, C, H, W]` images, the classes to explain, and what is known.
    struct Data {
        let images: Tensor
        let targets: [Int]
        /// `[N, 1, H, W]` object masks (Shapes), or nil.
        let masks: Tensor?
        /// Decoy MNIST swatch corners, or nil.
        let corners: [Int]?
        var metrics: [Metric] {
            [.deletion, .insertion, .road] + (masks != nil ? [.pointing, .mass, .rank] : []) + (corners != nil ? [.decoy] : [])
        }
    }

    /// A method's map for one image `[1, C, H, W]`: `[1, 1, H, W]` after the conventions below.
    struct Method {
        let name: String
        /// The map of one image for `target`, computed with `model` (each worker has its own copy:
        /// methods register hooks on it); `index` is the image's position (seeds per-image noise).
        let map: (_ model: Module, _ image: Tensor, _ target: Int, _ index: Int) throws -> Tensor
    }

    /// The mean of one method × metric over the images with its 95% bootstrap interval.
    struct Cell { let mean: Double, lower: Double, upper: Double }

    let methods: [String]
    let metrics: [Metric]
    /// `cells[method][metric]`.
    let cells: [[Cell]]
    /// Per method: seconds spent computing its maps (the metrics' forward passes not included);
    /// printed, never written to the files (they must not change from run to run).
    let seconds: [Double]
    let count: Int

    /// One map per image and method as the metrics see it: the channels reduced as `explain` draws
    /// them (`ExplanationMethod.channelReduction`: saliency maxₖ |·|, the others the signed sum; one
    /// channel passes through), a layer-space map
    /// resized bilinearly to the image (`align_corners=False`), the sign kept (deletion removes
    /// the most *positive* evidence first; the decoy share takes |a| itself).
    static func inputMap(_ raw: Tensor, height: Int, width: Int, reduction: Render.ChannelReduction = .sum) throws -> Tensor {
        var map = raw
        if map.shape[1] > 1 {
            let (c, area) = (map.shape[1], map.shape[2] * map.shape[3])
            map = try Tensor(shape: [1, 1, map.shape[2], map.shape[3]], data: Render.reducedChannels(raw.data, channels: c, area: area, reduction))
        }
        if map.shape[2] != height || map.shape[3] != width { map = try map.resizedBilinear(height: height, width: width) }
        return map
    }

    /// Measures every method on every image, the images spread over `models.count` workers (one
    /// model copy each: the methods and metrics register hooks on the model they are given).
    /// Every image's numbers depend on the image alone — its noise is seeded by its index, each
    /// worker runs its kernels on one thread — and are gathered in image order, so the result is
    /// the same bits for any number of workers. `progress(done)` as images finish, in order of
    /// completion, never concurrently. The first failure by image order is thrown.
    static func measure(models: [Module], data: Data, methods: [Method], bootstrapSeed: UInt64, metricsBy code: Implementations = .standard,
                        progress: @escaping (Int) -> Void = { _ in }) throws -> Ranking {
        precondition(!models.isEmpty, "measure needs at least one model")
        let n = data.images.shape[0]
        let metrics = data.metrics
        var perImage = [[[Double]]?](repeating: nil, count: n)        // [image][method][metric]
        var secondsPerImage = [[Double]](repeating: [], count: n)
        var failures: [Int: Error] = [:]
        let lock = NSLock()
        let counters = UncheckedBox((next: 0, done: 0))
        let workers = min(models.count, n)
        let box = UncheckedBox((perImage, secondsPerImage, failures))
        // The inputs, shared read-only by the workers (each uses its own model); the results and
        // the progress callback only under the lock.
        let job = UncheckedBox((models: models, data: data, methods: methods, progress: progress, code: code, metrics: metrics))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let (models, data, methods, progress, code, metrics) = job.value
            Parallel.withThreads(1) {
                while true {
                    let i: Int = lock.withLock { defer { counters.value.next += 1 }; return counters.value.next }
                    guard i < n else { return }
                    // After a failure, images past it are not measured (the error names the first).
                    if lock.withLock({ box.value.2.keys.contains { $0 < i } }) { continue }
                    do {
                        let (values, seconds) = try measure(image: i, model: models[worker], data: data, metrics: metrics, methods: methods,
                                                            bootstrapSeed: bootstrapSeed, code: code)
                        lock.withLock {
                            box.value.0[i] = values
                            box.value.1[i] = seconds
                            counters.value.done += 1
                            progress(counters.value.done)
                        }
                    } catch {
                        lock.withLock { box.value.2[i] = error }
                    }
                }
            }
        }
        (perImage, secondsPerImage, failures) = box.value
        if let first = failures.keys.min() { throw failures[first]! }
        var values = Array(repeating: Array(repeating: [Double](), count: metrics.count), count: methods.count)
        var seconds = [Double](repeating: 0, count: methods.count)
        for i in 0..<n {
            let image = perImage[i]!
            for m in methods.indices {
                for k in metrics.indices { values[m][k].append(image[m][k]) }
                seconds[m] += secondsPerImage[i][m]
            }
        }
        let cells = values.map { perMetric in perMetric.map { bootstrap($0, seed: bootstrapSeed) } }
        return Ranking(methods: methods.map(\.name), metrics: metrics, cells: cells, seconds: seconds, count: n)
    }

    /// One image: every method's map, then every metric of it: `[method][metric]`, and the
    /// seconds each method's map took.
    static func measure(image i: Int, model: Module, data: Data, metrics: [Metric], methods: [Method], bootstrapSeed: UInt64,
                        code: Implementations) throws -> (values: [[Double]], seconds: [Double]) {
        let (h, w) = (data.images.shape[2], data.images.shape[3])
        let pixelsPerStep = max(1, (h * w + 48) / 49)
        let image = try data.images.sliced(axis: 0, i..<(i + 1)), target = data.targets[i]
        let blurredImage = try insertionStart(image)
        let black = Tensor.zeros(image.shape)
        let mask = try data.masks.map { try $0.sliced(axis: 0, i..<(i + 1)) }
        var values: [[Double]] = [], seconds: [Double] = []
        for method in methods {
            let start = DispatchTime.now().uptimeNanoseconds
            let map = try inputMap(try method.map(model, image, target, i), height: h, width: w,
                                   reduction: ExplanationMethod.channelReduction(of: method.name))
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            try FiniteValues.require(map.data, "the \(method.name) map of image \(i)")
            var row: [Double] = []
            for metric in metrics {
                let value: Float
                do {
                    switch metric {
                    case .deletion:
                        value = try code.areaUnderCurve(try code.perturbationCurve(model, image, black, map, [target], pixelsPerStep))[0]
                    case .insertion:
                        value = try code.areaUnderCurve(try code.perturbationCurve(model, blurredImage, image, map, [target], pixelsPerStep))[0]
                    case .road:
                        // The same noise for every method on an image: the methods are compared on equal terms.
                        value = try code.roadCombined(model, image, map, [target], bootstrapSeed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1))[0]
                    case .pointing: value = try code.pointingGame(map, mask!)[0]
                    case .mass: value = try code.relevanceMass(map, mask!)[0]
                    case .rank: value = try code.relevanceRankAccuracy(map, mask!)[0]
                    case .decoy: value = try code.decoyShare(map, [data.corners![i]])[0]
                    }
                } catch let error as ExerciseNotStarted {
                    // A stub that is not started stops the ranking with one line naming its exercise.
                    throw ExerciseNotStartedFailure(method: "the \(metric.rawValue)", exercise: error.exercise)
                }
                try FiniteValues.require(Double(value), "the \(metric.rawValue) score of image \(i) under \(method.name)")
                row.append(Double(value))
            }
            values.append(row)
        }
        return (values, seconds)
    }

    /// The mean of `values` and the 2.5th and 97.5th percentiles of the means of 1,000 resamples
    /// with replacement, drawn with `SeededGenerator(seed)` (the same interval on any machine).
    static func bootstrap(_ values: [Double], seed: UInt64, resamples: Int = 1000) -> Cell {
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        var g = SeededGenerator(seed: seed)
        var means = (0..<resamples).map { _ in (0..<n).reduce(0.0) { sum, _ in sum + values[g.nextInt(below: n)] } / Double(n) }
        means.sort()
        return Cell(mean: mean, lower: means[Int(0.025 * Double(resamples))], upper: means[Int(0.975 * Double(resamples)) - 1])
    }

    // MARK: Output

    func format(_ cell: Cell) -> String { String(format: "%.3f [%.3f, %.3f]", cell.mean, cell.lower, cell.upper) }

    /// A Markdown table: one row per method, one column per metric, "mean [2.5%, 97.5%]".
    var text: String {
        var out = "| method | " + metrics.map { "\($0.rawValue) \($0.direction)" }.joined(separator: " | ") + " |\n"
        out += "| --- |" + String(repeating: " --- |", count: metrics.count) + "\n"
        for (m, name) in methods.enumerated() {
            out += "| \(name) | " + cells[m].map(format).joined(separator: " | ") + " |\n"
        }
        return out
    }

    var csv: String {
        var out = "method,metric,higher_is_better,mean,lower95,upper95,images\n"
        for (m, name) in methods.enumerated() {
            for (k, metric) in metrics.enumerated() {
                let c = cells[m][k]
                out += "\(name),\(metric.key),\(metric.higherIsBetter)," + String(format: "%.6f,%.6f,%.6f,", c.mean, c.lower, c.upper) + "\(count)\n"
            }
        }
        return out
    }
}

/// Mutable state shared by the workers of one `measure`, always accessed under its lock.
private final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

extension Ranking {
    /// Insertion's starting point (Petsiuk et al. start from a blurred copy, not from black, so the
    /// curve measures the information the pixels add rather than the shock of a black image):
    /// `images` (`[N, C, H, W]`) blurred by a separable Gaussian, σ = `sigma`, radius ⌈3σ⌉, indices
    /// outside a plane clamped to its edge. Rows first, then columns. No exercise computes this
    /// (lesson 08's blur reflects its borders); both editions use it.
    static func insertionStart(_ images: Tensor, sigma: Float = 2) throws -> Tensor {
        guard images.rank == 4 else {
            throw TensorError.invalidArgument(operation: "blur", message: "images must be [N, C, H, W], got \(images.shape)")
        }
        let (h, w) = (images.shape[2], images.shape[3])
        let radius = Int((3 * sigma).rounded(.up))
        let raw = (0...(2 * radius)).map { exp(-Float(($0 - radius) * ($0 - radius)) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        let weights = raw.map { $0 / total }
        let source = images.data
        var rowsBlurred = [Float](repeating: 0, count: source.count), result = rowsBlurred
        for plane in stride(from: 0, to: source.count, by: h * w) {
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0
                    for (t, weight) in weights.enumerated() { sum += weight * source[plane + y * w + min(max(x + t - radius, 0), w - 1)] }
                    rowsBlurred[plane + y * w + x] = sum
                }
            }
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0
                    for (t, weight) in weights.enumerated() { sum += weight * rowsBlurred[plane + min(max(y + t - radius, 0), h - 1) * w + x] }
                    result[plane + y * w + x] = sum
                }
            }
        }
        return try Tensor(shape: images.shape, data: result)
    }
}
