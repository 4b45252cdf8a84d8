// Correct implementations of Lesson 04 written differently from the reference: every grader must
// pass each of them (`swift run workbook verify` checks it). Never shown to students.

import LessonSupport
import TensorEngine

public enum CAMVariants {
    /// 4.3 — each map scaled with engine ops (min and max over the plane, then broadcast).
    public static let normalizedMaps: [Exercise<@Sendable (Tensor) throws -> Tensor>.Mistake] = [
        .init(id: "tensor-ops", summary: "(x − min) / (max − min + 1e-7) with reductions over the plane") { maps in
            guard maps.rank == 4, maps.count > 0 else {
                throw TensorError.invalidArgument(operation: "normalizedMaps", message: "expected [N, 1, h, w] maps, got \(maps.shape)")
            }
            return try withNoGrad {
                let (n, c, h, w) = (maps.shape[0], maps.shape[1], maps.shape[2], maps.shape[3])
                let flat = try maps.reshaped([n * c, h * w])
                let low = try flat.min(axis: 1, keepDims: true), high = try flat.max(axis: 1, keepDims: true)
                return try ((flat - low) / (high - low + 1e-7)).reshaped([n, c, h, w])
            }
        },
    ]
}
