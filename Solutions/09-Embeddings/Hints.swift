// What the graders' hints for 9.6 compare a student's trustworthiness with: the catalogued
// mistakes' own values on the test's inputs, each with its hint. They live here, not in the tests,
// because they run the mistakes; the graders ask for them through `Reference` (recorded for the
// student edition). Never shown to students.

import Course
import LessonSupport

/// For `high`, `low` and `k`: each catalogued 9.6 mistake's trustworthiness (as one Float) with the
/// hint a student whose value equals it gets.
public func trustworthinessHintVariants(high: Matrix, low: Matrix, neighbours k: Int) throws -> [(values: [Float], hint: String)] {
    let hints: [EmbeddingsCourse.Trustworthiness: String] = [
        .countsItself: "rank 1 is the nearest *other* point: leave the point itself out of the original-space ranking (every rank here is one too high)",
        .spacesSwapped: "ranks come from the original space, neighbours from the embedding (this is continuity, the other way round)",
    ]
    return try EmbeddingsCourse.Trustworthiness.allCases.compactMap { id in
        guard let hint = hints[id] else { return nil }
        return ([Float(try EmbeddingsMistakes.trustworthiness(id, high: high, low: low, neighbours: k))], hint)
    }
}
