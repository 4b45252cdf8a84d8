// What the graders' hints for 11.6 compare a student's scores with: the catalogued mistakes' own
// values on the test's inputs, each with its hint. They live here, not in the tests, because they
// run the mistakes; the graders ask for them through `Reference` (recorded for the student
// edition). Never shown to students.

import Course
import LessonSupport
import TensorEngine

/// For the test's inputs: each catalogued 11.6 mistake's `[tsne, codes, newCodes]` with the hint a
/// student whose scores equal it gets.
public func mapComparisonHintVariants(of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> [(values: [Float], hint: String)] {
    let hints: [AutoencodersCourse.Comparison: String] = [
        .heldOutAgainstFittedPixels: "the held-out codes were scored against the fitted half's pixels: each map is judged against the images it places (trustworthiness(high: heldOut's pixels, low: its codes))",
        .codesAgainstTSNE: "the codes were scored against t-SNE's map: both maps are judged against the same truth, the pixels, not against each other",
        .reconstructions: "these are the reconstructions' scores: the map is the encoder's 2-D code (11.5's encode), not the autoencoder's output",
    ]
    return try AutoencodersCourse.Comparison.allCases.compactMap { id in
        guard let hint = hints[id] else { return nil }
        let wrong = try AutoencodersMistakes.mapComparison(id, of: autoencoder, fitted: fitted, heldOut: heldOut, tsneMap: tsneMap, neighbours: k)
        return ([wrong.tsne, wrong.codes, wrong.newCodes].map(Float.init), hint)
    }
}
