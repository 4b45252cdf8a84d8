import Foundation
import TensorEngine

/// Where the command line turns a model's numbers into an index, a pixel or a chart, it first
/// makes sure they are finite: a model whose weights are finite but huge (every weight ±3e38
/// passes the loader's NaN/∞ check) overflows to ∞ and NaN in its first layer, and `Int(NaN)` or
/// an index computed from NaN would trap. One line naming the image and the stage instead, exit 1.
enum FiniteValues {
    /// Throws a `WorkFailure` naming `what` when any of `values` is NaN or ±∞.
    static func require(_ values: [Float], _ what: @autoclosure () -> String) throws {
        guard let i = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw WorkFailure(message: "\(what()) is not finite (\(values[i]) at position \(i)): the model's numbers overflow Float")
    }

    /// Throws a `WorkFailure` naming `what` when `value` is NaN or ±∞.
    static func require(_ value: Double, _ what: @autoclosure () -> String) throws {
        guard !value.isFinite else { return }
        throw WorkFailure(message: "\(what()) is \(value), not finite: the model's numbers overflow Float")
    }

    /// Runs `model` on `images` (`[N, …]`, in batches of 256, no gradients) and checks every
    /// image's outputs: "the model's outputs are not finite for test image 3".
    static func requireOutputs(of model: Module, images: Tensor, name: (Int) -> String) throws {
        let n = images.shape[0]
        for start in stride(from: 0, to: n, by: 256) {
            let logits = try withNoGrad { try model(try images.sliced(axis: 0, start..<min(start + 256, n))) }
            let width = logits.count / max(1, min(start + 256, n) - start)
            if let bad = logits.data.firstIndex(where: { !$0.isFinite }) {
                throw WorkFailure(message: "the model's outputs are not finite for \(name(start + bad / max(width, 1))) (\(logits.data[bad])): its weights overflow Float")
            }
        }
    }
}
