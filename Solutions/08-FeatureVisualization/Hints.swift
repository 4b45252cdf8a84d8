// What the graders' hints for 8.7 compare a student's dream with: the catalogued mistakes' own
// dreams on the test's inputs, each with its hint. They live here, not in the tests, because they
// run the mistakes; the graders ask for them through `Reference` (recorded for the student
// edition). Never shown to students.

import Course
import LessonSupport
import TensorEngine

/// For the test's model, image, layer, settings and seed: each catalogued 8.7 mistake's dream with
/// the hint a student whose dream equals it gets.
public func deepDreamHintVariants(of model: Module, image: Tensor, layer: String, settings: DreamSettings, seed: UInt64) throws -> [(values: [Float], hint: String)] {
    let hints: [FeatureVisualizationCourse.DeepDream: String] = [
        .unnormalisedStep: "each step is stepSize · g / mean|g|: divide the gradient by its mean absolute value",
        .largestOctaveFirst: "octaves go from the smallest (20 px) to the full size; the detail is resized to each octave",
    ]
    return try FeatureVisualizationCourse.DeepDream.allCases.compactMap { id in
        guard let hint = hints[id] else { return nil }
        return (try FeatureVisualizationMistakes.deepDream(id, of: model, image: image, layer: layer, settings: settings, seed: seed).data, hint)
    }
}

/// For the linear objective Σ w·x̃: the catalogued 8.5 mistake that keeps the jitter, with its hint.
public func ascendLinearHintVariants(weights w: Tensor, from start: Tensor, settings: AscentSettings, seed: UInt64) throws -> [(values: [Float], hint: String)] {
    [(try FeatureVisualizationMistakes.ascend(.jitterNotUndone, { try ($0 * w).sum() }, from: start, settings: settings, seed: seed).image.data,
      "the stepped image is still jittered: roll it back by (−dy, −dx) before clamping")]
}
