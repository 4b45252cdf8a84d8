import AdversarialLesson
import CAMLesson
import EmbeddingsLesson
import EvaluationLesson
import FeatureVisualizationLesson
import GradCAMLesson
import GuidedBackpropLesson
import LargeScaleEmbedding
import LessonSupport
import OcclusionLesson
import SaliencyLesson
import TensorEngine

/// The exercise functions the command line runs — the reference's (`Solutions/`, the full
/// edition's default) or the student's own (`Lessons/`, the only code of the student edition) —
/// so `explain`, `rank`, `insights`, `visualize`, `dream` and `embed` show a student's maps beside
/// the reference's (`--implementation student|reference`). A stub that is not started throws
/// `ExerciseNotStarted`; the commands turn it into one line naming the exercise
/// (`running`, `ExerciseNotStartedFailure`). The reference's table is `ReferenceImplementations.swift`, the
/// one file of the command line that names `Solutions/` (full edition only).
struct Implementations: Sendable {
    typealias Map = @Sendable (Module, Tensor, [Int]) throws -> Tensor
    typealias LayerMap = @Sendable (Module, Tensor, [Int], String) throws -> Tensor
    typealias MaskMetric = @Sendable (Tensor, Tensor) throws -> [Float]

    let name: String
    // Lesson 02
    /// Saliency as Simonyan et al. draw it: |∂yᶜ/∂x|, the largest over the channels (2.1, then
    /// 2.2), `[N, 1, H, W]` — for one channel too. The one definition `explain`, `rank` and
    /// `insights` share.
    let saliency: Map
    let gradientTimesInput: Map
    let smoothGrad: @Sendable (Module, Tensor, [Int], Int, Float, UInt64) throws -> Tensor
    let integratedGradients: @Sendable (Module, Tensor, [Int], Int, IntegrationMethod) throws -> Tensor
    // Lesson 03
    let occlusion: @Sendable (Module, Tensor, [Int], Int, Int, Float, Int) throws -> Tensor
    // Lessons 04, 05, 10
    let classActivationMap: LayerMap
    let gradCAM: LayerMap
    let gradCAMPlusPlus: LayerMap
    let ablationCAM: LayerMap
    let scoreCAM: LayerMap
    // Lesson 06
    let guidedBackprop: Map
    let deconvnet: Map
    let guidedGradCAM: LayerMap
    // Lesson 07
    let fgsm: @Sendable (Module, Tensor, [Int], Float) throws -> Tensor
    let pgd: @Sendable (Module, Tensor, [Int], Float, Float, Int) throws -> Tensor
    // Lesson 10
    let perturbationCurve: @Sendable (Module, Tensor, Tensor, Tensor, [Int], Int) throws -> Tensor
    let areaUnderCurve: @Sendable (Tensor) throws -> [Float]
    let pointingGame: MaskMetric
    let relevanceMass: MaskMetric
    let relevanceRankAccuracy: MaskMetric
    let decoyShare: @Sendable (Tensor, [Int]) throws -> [Float]
    /// ROADCombined over 10…90 with seeded noise (pytorch-grad-cam's conventions, see lesson 10).
    let roadCombined: @Sendable (Module, Tensor, Tensor, [Int], UInt64) throws -> [Float]
    // Lesson 05: maps `[N, 1, h, w]` to the image size, each scaled to [0, 1] (5.3).
    let upsampledAndNormalized: @Sendable (Tensor, Int, Int) throws -> Tensor
    // Lesson 08
    /// Class images: one per target, all ascending together from `startGrey`, `[N] + inputShape`
    /// (`inputShape` is the model's `[C, H, W]`).
    let classImages: @Sendable (_ model: Module, _ targets: [Int], _ settings: AscentSettings, _ seed: UInt64, _ inputShape: [Int],
                                _ startGrey: Float, _ progress: ((Int, Float) -> Void)?) throws -> Tensor
    /// Unit images: image n maximises the mean of channel `channels[n]` at the layer, `[N] + inputShape`.
    let unitImages: @Sendable (_ model: Module, _ layer: String, _ channels: [Int], _ settings: AscentSettings, _ seed: UInt64,
                               _ inputShape: [Int], _ progress: ((Int, Float) -> Void)?) throws -> Tensor
    let deepDream: @Sendable (_ model: Module, _ image: Tensor, _ layer: String, _ settings: DreamSettings, _ seed: UInt64,
                              _ progress: ((Int, Float) -> Void)?) throws -> Tensor
    // Lesson 09
    let embedding: EmbeddingCode

    static let student = Implementations(
        name: "student",
        saliency: { try SaliencyLesson.saliencyMagnitude(try SaliencyLesson.saliency(of: $0, images: $1, targets: $2)) },
        gradientTimesInput: { try SaliencyLesson.gradientTimesInput(of: $0, images: $1, targets: $2) },
        smoothGrad: { try SaliencyLesson.smoothGrad(of: $0, images: $1, targets: $2, samples: $3, noiseLevel: $4, seed: $5) },
        integratedGradients: { try SaliencyLesson.integratedGradients(of: $0, images: $1, targets: $2, steps: $3, method: $4).attributions },
        occlusion: { try OcclusionLesson.occlusion(of: $0, images: $1, targets: $2, window: $3, stride: $4, baseline: $5, batchSize: $6) },
        classActivationMap: { try CAMLesson.classActivationMap(of: $0, images: $1, targets: $2, featureLayer: $3) },
        gradCAM: { try GradCAMLesson.gradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        gradCAMPlusPlus: { try GradCAMLesson.gradCAMPlusPlus(of: $0, images: $1, targets: $2, layer: $3) },
        ablationCAM: { try EvaluationLesson.ablationCAM(of: $0, images: $1, targets: $2, layer: $3) },
        scoreCAM: { try EvaluationLesson.scoreCAM(of: $0, images: $1, targets: $2, layer: $3) },
        guidedBackprop: { try GuidedBackpropLesson.guidedBackprop(of: $0, images: $1, targets: $2) },
        deconvnet: { try GuidedBackpropLesson.deconvnet(of: $0, images: $1, targets: $2) },
        guidedGradCAM: { try GuidedBackpropLesson.guidedGradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        fgsm: { try AdversarialLesson.fgsm(of: $0, images: $1, labels: $2, epsilon: $3) },
        pgd: { try AdversarialLesson.pgd(of: $0, images: $1, labels: $2, epsilon: $3, stepSize: $4, steps: $5, randomStart: false, seed: 0) },
        perturbationCurve: { try EvaluationLesson.perturbationCurve(of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5) },
        areaUnderCurve: { try EvaluationLesson.areaUnderCurve($0) },
        pointingGame: { try EvaluationLesson.pointingGame(attributions: $0, masks: $1, tolerance: 0) },
        relevanceMass: { try EvaluationLesson.relevanceMass(attributions: $0, masks: $1) },
        relevanceRankAccuracy: { try EvaluationLesson.relevanceRankAccuracy(attributions: $0, masks: $1) },
        decoyShare: { try EvaluationLesson.decoyShare(attributions: $0, corners: $1) },
        roadCombined: { model, images, maps, targets, seed in
            try combinedROAD(model, images, maps, targets, seed: seed) {
                try EvaluationLesson.roadScores(of: $0, images: $1, attributions: $2, targets: $3, percentile: $4, order: $5, noise: $6)
            }
        },
        upsampledAndNormalized: { try GradCAMLesson.upsampledAndNormalized($0, height: $1, width: $2) },
        classImages: { model, targets, settings, seed, shape, startGrey, _ in
            try classImages(of: model, targets: targets, settings: settings, seed: seed, inputShape: shape, startGrey: startGrey,
                            ascend: { try FeatureVisualizationLesson.ascend($0, from: $1, settings: $2, seed: $3) })
        },
        unitImages: { model, layer, channels, settings, seed, shape, _ in
            try unitImages(of: model, layer: layer, channels: channels, settings: settings, seed: seed, inputShape: shape,
                           ascend: { try FeatureVisualizationLesson.ascend($0, from: $1, settings: $2, seed: $3) },
                           meanActivation: { try FeatureVisualizationLesson.meanActivation(of: $0, at: $1, channel: $2, for: $3) })
        },
        deepDream: { model, image, layer, settings, seed, _ in
            try FeatureVisualizationLesson.deepDream(of: model, image: image, layer: layer, settings: settings, seed: seed)
        },
        embedding: EmbeddingCode(
            largeScale: false,
            features: { model, layer, images in try Matrix(EmbeddingsLesson.features(of: model, at: layer, for: images, batchSize: 256)) },
            pca: { try EmbeddingsLesson.pca($0, components: 2).projection },
            tsne: { data, settings, _, _ in (try EmbeddingsLesson.tsne(data, settings: settings).embedding, "t-SNE") },
            trustworthiness: { try EmbeddingsLesson.trustworthiness(high: $0, low: $1, neighbours: 5) },
            knnAccuracy: { try EmbeddingsLesson.knnAccuracy($0, labels: $1, neighbours: 5) }))

    #if !FULL_EDITION
    /// The student edition has one implementation: the student's.
    static let standard = student
    #endif

    /// `--implementation student|reference`: the edition's `standard` when absent. The student
    /// edition has no reference to run.
    static func named(_ name: String?) throws -> Implementations {
        switch name {
        case nil: return standard
        case "student": return student
        case "reference":
            #if FULL_EDITION
            return reference
            #else
            throw CommandLineError(message: "--implementation reference needs the instructors' edition (Solutions/); this edition runs your code")
            #endif
        default: throw CommandLineError(message: "--implementation must be student or reference, got '\(name ?? "")'")
        }
    }

    /// The option every command that runs exercises takes.
    static var option: OptionSpecification {
        #if FULL_EDITION
        OptionSpecification(name: "implementation", valueName: "I", help: "reference (default) or student: whose code computes the methods (Solutions/ or your Lessons/)")
        #else
        OptionSpecification(name: "implementation", valueName: "I", help: "student (the only one in this edition): your code in Lessons/ computes the methods")
        #endif
    }

    /// 8.5's `ascend(_:from:settings:seed:)`.
    typealias Ascent = ((Tensor) throws -> Tensor, Tensor, AscentSettings, UInt64) throws -> (image: Tensor, objectives: [Float])

    /// Class images from an `ascend` (exercise 8.5): every target's image ascends its own logit,
    /// all together from `startGrey`. `[N] + inputShape`.
    static func classImages(of model: Module, targets: [Int], settings: AscentSettings, seed: UInt64, inputShape: [Int],
                            startGrey: Float, ascend: Ascent) throws -> Tensor {
        let grey = Tensor(repeating: startGrey, shape: [targets.count] + inputShape)
        return try ascend({ try model($0).gathered(indices: targets) }, grey, settings, seed).image
    }

    /// Unit images from an `ascend` (8.5) and a `meanActivation` (8.6): image n ascends the mean of
    /// channel `channels[n]`, all together from `AscentSettings.startGrey`, each `inputShape`. One forward pass
    /// per distinct channel, each weighted by the images that want it, so an image's objective and
    /// gradient are its own channel's only.
    static func unitImages(of model: Module, layer: String, channels: [Int], settings: AscentSettings, seed: UInt64,
                           inputShape: [Int] = [1, 28, 28], ascend: Ascent,
                           meanActivation: @escaping (Module, String, Int, Tensor) throws -> Tensor) throws -> Tensor {
        let distinct = Array(Set(channels)).sorted()
        let objective: (Tensor) throws -> Tensor = { images in
            var total: Tensor?
            for channel in distinct {
                let wanted = try Tensor(shape: [channels.count], data: channels.map { $0 == channel ? 1 : 0 })
                let term = try meanActivation(model, layer, channel, images) * wanted
                total = try total.map { try $0 + term } ?? term
            }
            guard let total else { throw TensorError.invalidArgument(operation: "unit images", message: "no channels") }
            return total
        }
        let grey = Tensor(repeating: AscentSettings.startGrey, shape: [channels.count] + inputShape)
        return try ascend(objective, grey, settings, seed).image
    }

    /// ROADCombined from a `roadScores` (exercise 10.6b): the mean over percentiles 10…90 of
    /// (LeRF − MoRF) / 2, noise 0.01·N(0, 1) from `SeededGenerator(seed)`, a fresh draw per
    /// percentile and order — the same draws, in the same order, as the reference's `roadCombined`.
    static func combinedROAD(_ model: Module, _ images: Tensor, _ maps: Tensor, _ targets: [Int], seed: UInt64,
                             scores: (Module, Tensor, Tensor, [Int], Int, RemovalOrder, Tensor) throws -> [Float]) throws -> [Float] {
        let percentiles = Array(stride(from: 10, through: 90, by: 10))
        var generator = SeededGenerator(seed: seed)
        var total = [Float](repeating: 0, count: images.shape.first ?? 0)
        for percentile in percentiles {
            for order in RemovalOrder.allCases {
                let noise = try Tensor(shape: images.shape, data: (0..<images.count).map { _ in 0.01 * generator.nextNormal() })
                let values = try scores(model, images, maps, targets, percentile, order, noise)
                let sign: Float = order == .leastRelevantFirst ? 1 : -1
                for i in total.indices { total[i] += sign * values[i] }
            }
        }
        return total.map { $0 / Float(2 * percentiles.count) }
    }
}

/// Runs `body`; a stub that is not started stops the command with one line naming `what` and
/// the exercise.
func running<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ExerciseNotStarted {
        throw ExerciseNotStartedFailure(method: what, exercise: error.exercise)
    }
}

/// A command stopped by a stub: a work failure (exit 1) whose one line names what needed it
/// and the exercise. `explain --all` lists these instead of stopping.
struct ExerciseNotStartedFailure: Error, CustomStringConvertible {
    let method: String, exercise: String
    var description: String { "\(method) needs exercise \(exercise), which is not started (Lessons/: your implementation)" }
}

/// Lesson 09's methods as `workbook embed` runs them. The reference runs the engine's large-scale
/// versions (fast PCA, Barnes–Hut t-SNE, neighbour-list scores: 10,000 images in seconds); a
/// student's are the exercises themselves, O(N²) in time and memory, so the command caps N.
struct EmbeddingCode: Sendable {
    /// Whether these scale to all 10,000 test images (false: the exercises' N × N matrices).
    let largeScale: Bool
    /// A layer's activations (or "pixels") as `[N, D]` features (9.1).
    let features: @Sendable (Module, String, Tensor) throws -> Matrix
    /// The 2-D PCA projection (9.2).
    let pca: @Sendable (Matrix) throws -> Matrix
    /// t-SNE (9.5): the 2-D points and the method's name; θ = nil asks for the exact gradient.
    let tsne: @Sendable (Matrix, TSNESettings, Double?, ((Int, Double) -> Void)?) throws -> (points: Matrix, name: String)
    /// Trustworthiness T(5) of the 2-D points against the features (9.6).
    let trustworthiness: @Sendable (Matrix, Matrix) throws -> Double
    /// Leave-one-out 5-NN accuracy in 2-D (9.7).
    let knnAccuracy: @Sendable (Matrix, [Int]) throws -> Double

    /// The features of `layer` for `images` embedded by `method`, scored.
    func panel(of model: Module, layer: String, images: Tensor, labels: [Int], method: EmbeddingMethod, settings: TSNESettings,
               theta: Double?, progress: ((Int, Double) -> Void)? = nil) throws -> EmbeddingPanel {
        let high = try features(model, layer, images)
        let points: Matrix, name: String
        switch method {
        case .pca: (points, name) = (try pca(high), "PCA")
        case .tsne: (points, name) = try tsne(high, settings, theta, progress)
        }
        return try scored(high, points, labels: labels, layer: layer, method: name)
    }

    /// The features of `layer` for `images` embedded by UMAP (the engine's, not an exercise; its
    /// PCA start by this code's `pca`), scored.
    func umapPanel(of model: Module, layer: String, images: Tensor, labels: [Int], settings: UMAPSettings,
                   progress: ((Int, Int) -> Void)? = nil) throws -> EmbeddingPanel {
        let high = try features(model, layer, images)
        let points = try umap(high, settings: settings, principalComponents: pca, progress: progress)
        return try scored(high, points, labels: labels, layer: layer, method: "UMAP")
    }

    /// The 2-D code `encoder` gives each image (`[N, 2]`: an autoencoder's, lesson 11), scored
    /// against the pixels.
    func encoderPanel(of encoder: Module, images: Tensor, labels: [Int]) throws -> EmbeddingPanel {
        let high = try features(encoder, "pixels", images)
        var codes: [Float] = []
        try withNoGrad {
            var start = 0
            while start < images.shape[0] {
                let end = Swift.min(start + 256, images.shape[0])
                let out = try encoder(try images.sliced(axis: 0, start..<end))
                guard out.shape == [end - start, 2] else {
                    throw WorkFailure(message: "the encoder gives \(Array(out.shape.dropFirst())) per image, not a 2-D code")
                }
                codes += out.data
                start = end
            }
        }
        let points = try Matrix(rows: images.shape[0], columns: 2, values: codes.map(Double.init))
        return try scored(high, points, labels: labels, layer: "pixels", method: "autoencoder")
    }

    private func scored(_ high: Matrix, _ points: Matrix, labels: [Int], layer: String, method: String) throws -> EmbeddingPanel {
        try FiniteValues.require(points.values.map(Float.init), "the \(method) embedding")
        return EmbeddingPanel(features: layer == "pixels" ? "pixels" : "\(layer) features", method: method, points: points,
                              trust: try trustworthiness(high, points), knn: try knnAccuracy(points, labels))
    }
}
