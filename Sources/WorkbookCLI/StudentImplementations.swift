import AdversarialLesson
import AdversarialSolutions
import CAMLesson
import CAMSolutions
import EvaluationLesson
import EvaluationSolutions
import GradCAMLesson
import GradCAMSolutions
import GuidedBackpropLesson
import GuidedBackpropSolutions
import LessonSupport
import OcclusionLesson
import OcclusionSolutions
import SaliencyLesson
import SaliencySolutions
import TensorEngine

/// The exercise functions the command line runs — the reference's (`Solutions/`) or the
/// student's own (`Lessons/`) — so `explain`, `rank` and `insights` can show a student's map
/// beside the reference's (`--implementation student|reference`). A stub that is not started
/// throws `ExerciseNotStarted`; the commands turn it into one line naming the exercise
/// (`Implementations.describe`).
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

    static let reference = Implementations(
        name: "reference",
        saliency: { try SaliencySolutions.saliencyMagnitude(try SaliencySolutions.saliency(of: $0, images: $1, targets: $2)) },
        gradientTimesInput: { try SaliencySolutions.gradientTimesInput(of: $0, images: $1, targets: $2) },
        smoothGrad: { try SaliencySolutions.smoothGrad(of: $0, images: $1, targets: $2, samples: $3, noiseLevel: $4, seed: $5) },
        integratedGradients: { try SaliencySolutions.integratedGradients(of: $0, images: $1, targets: $2, steps: $3, method: $4).attributions },
        occlusion: { try OcclusionSolutions.occlusion(of: $0, images: $1, targets: $2, window: $3, stride: $4, baseline: $5, batchSize: $6) },
        classActivationMap: { try CAMSolutions.classActivationMap(of: $0, images: $1, targets: $2, featureLayer: $3) },
        gradCAM: { try GradCAMSolutions.gradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        gradCAMPlusPlus: { try GradCAMSolutions.gradCAMPlusPlus(of: $0, images: $1, targets: $2, layer: $3) },
        ablationCAM: { try EvaluationSolutions.ablationCAM(of: $0, images: $1, targets: $2, layer: $3) },
        scoreCAM: { try EvaluationSolutions.scoreCAM(of: $0, images: $1, targets: $2, layer: $3) },
        guidedBackprop: { try GuidedBackpropSolutions.guidedBackprop(of: $0, images: $1, targets: $2) },
        deconvnet: { try GuidedBackpropSolutions.deconvnet(of: $0, images: $1, targets: $2) },
        guidedGradCAM: { try GuidedBackpropSolutions.guidedGradCAM(of: $0, images: $1, targets: $2, layer: $3) },
        fgsm: { try AdversarialSolutions.fgsm(of: $0, images: $1, labels: $2, epsilon: $3) },
        pgd: { try AdversarialSolutions.pgd(of: $0, images: $1, labels: $2, epsilon: $3, stepSize: $4, steps: $5) },
        perturbationCurve: { try EvaluationSolutions.perturbationCurve(of: $0, from: $1, to: $2, attributions: $3, targets: $4, pixelsPerStep: $5) },
        areaUnderCurve: { try EvaluationSolutions.areaUnderCurve($0) },
        pointingGame: { try EvaluationSolutions.pointingGame(attributions: $0, masks: $1) },
        relevanceMass: { try EvaluationSolutions.relevanceMass(attributions: $0, masks: $1) },
        relevanceRankAccuracy: { try EvaluationSolutions.relevanceRankAccuracy(attributions: $0, masks: $1) },
        decoyShare: { try EvaluationSolutions.decoyShare(attributions: $0, corners: $1) },
        roadCombined: { try EvaluationSolutions.roadCombined(of: $0, images: $1, attributions: $2, targets: $3, seed: $4) })

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
        })

    /// `--implementation student|reference` (reference when absent).
    static func named(_ name: String?) throws -> Implementations {
        switch name ?? "reference" {
        case "reference": return reference
        case "student": return student
        default: throw CommandLineError(message: "--implementation must be student or reference, got '\(name ?? "")'")
        }
    }

    /// One line for an error of a method: a stub that is not started names its exercise.
    static func describe(_ error: Error, method: String) -> String? {
        guard let notStarted = error as? ExerciseNotStarted else { return nil }
        return "\(method) needs exercise \(notStarted.exercise), which is not started (Lessons/: your implementation)"
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
