// The reference's side of `Implementations`: the one file of the command line that names the
// answers' modules. Full edition only: the student edition has no `Solutions/` and runs the
// student's code (`Implementations.student`) everywhere.
#if FULL_EDITION
import AdversarialSolutions
import CAMSolutions
import EmbeddingsSolutions
import EvaluationSolutions
import FeatureVisualizationSolutions
import GradCAMSolutions
import GuidedBackpropSolutions
import LessonSupport
import OcclusionSolutions
import SaliencySolutions
import TensorEngine

extension Implementations {
    /// The full edition runs the reference unless told `--implementation student`.
    static let standard = reference

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
        roadCombined: { try EvaluationSolutions.roadCombined(of: $0, images: $1, attributions: $2, targets: $3, seed: $4) },
        upsampledAndNormalized: { try GradCAMSolutions.upsampledAndNormalized($0, height: $1, width: $2) },
        classImages: { model, targets, settings, seed, shape, startGrey, progress in
            try FeatureVisualizationSolutions.classImages(of: model, targets: targets, settings: settings, seed: seed, channels: shape[0],
                                                          height: shape[1], width: shape[2], startGrey: startGrey, progress: progress).images
        },
        unitImages: { model, layer, channels, settings, seed, shape, progress in
            try FeatureVisualizationSolutions.unitImages(of: model, layer: layer, channels: channels, settings: settings, seed: seed,
                                                         inputShape: shape, progress: progress)
        },
        deepDream: { model, image, layer, settings, seed, progress in
            try FeatureVisualizationSolutions.deepDream(of: model, image: image, layer: layer, settings: settings, seed: seed, progress: progress)
        },
        embedding: EmbeddingCode(
            largeScale: true,
            features: { model, layer, images in try Matrix(EmbeddingsSolutions.features(of: model, at: layer, for: images, batchSize: 256)) },
            pca: { try fastPCA($0, components: 2).projection },
            tsne: { data, settings, theta, progress in
                if let theta { return (try barnesHutTSNE(data, settings: settings, theta: theta, progress: progress).embedding, "Barnes-Hut t-SNE") }
                return (try EmbeddingsSolutions.tsne(data, settings: settings, progress: progress).embedding, "t-SNE")
            },
            trustworthiness: { try largeScaleTrustworthiness(high: $0, low: $1, neighbours: 5) },
            knnAccuracy: { try largeScaleKNNAccuracy($0, labels: $1, neighbours: 5) }))
}
#endif
