// What the graders' hints for 10.5 compare a student's Score-CAM with: the catalogued mistakes' own
// maps on the test's inputs, each with its hint. They live here, not in the tests, because they
// run the mistakes; the graders ask for them through `Reference` (recorded for the student
// edition). Never shown to students.

import Course
import TensorEngine

/// For the test's model, images, targets and layer: each catalogued 10.5 mistake's maps with the
/// hint a student whose maps equal them gets.
public func scoreCAMHintVariants(of model: Module, images: Tensor, targets: [Int], layer: String) throws -> [(values: [Float], hint: String)] {
    let hints: [EvaluationCourse.ScoreCAM: String] = [
        .unnormalisedMasks: "mask the input with each channel's upsampled activation min-max scaled to [0, 1], not the raw activation",
        .halfPixelUpsampling: "upsample the activations with align_corners=True (UpsamplingBilinear2d, as pytorch-grad-cam does), not F.interpolate's default",
        .noSoftmax: "the channel weights are the softmax over the channels of the masked inputs' target logits, not the logits themselves",
    ]
    return try EvaluationCourse.ScoreCAM.allCases.compactMap { id in
        guard let hint = hints[id] else { return nil }
        return (try EvaluationMistakes.scoreCAM(id, of: model, images: images, targets: targets, layer: layer).data, hint)
    }
}
