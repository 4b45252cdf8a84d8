import TensorEngine

/// Compares the gradients `backward()` computes with central differences.
///
/// The scalar checked is L = Σᵢ wᵢ·yᵢ for a fixed random projection w of the output y, so every
/// output element contributes and a wrong sign or a wrong axis cannot hide. L is accumulated in
/// Double from the Float outputs.
///
/// **Step and tolerance (Float engine).** The default step h = 1e-2. Float32 has a relative
/// precision of 6e-8; an output built from ~10³ operations carries an absolute error of order
/// 1e-5·|y|, so the difference quotient (L(x+h) − L(x−h)) / 2h is off by ≈ 1e-5/2e-2 = 5e-4 from
/// roundoff. Truncation error is h²/6·|L'''| ≈ 2e-5 for the smooth ops here and exactly zero for
/// piecewise-linear ones (ReLU, max-pool, conv) as long as no coordinate crosses a kink within ±h —
/// so tests pick inputs at least 0.05 away from every kink and tie. The default tolerance
/// |received − expected| ≤ 5e-3 + 1e-2·|expected| leaves a 10× margin over those errors and still
/// catches any real mistake (a missing factor, a sign or a transposed index is off by O(1)).
public enum GradientCheck {
    public struct Mismatch: CustomStringConvertible, Sendable {
        public let input: Int, coordinate: Int
        public let received: Double, expected: Double
        public var description: String {
            "input \(input), coordinate \(coordinate): received \(received), expected \(expected) (central difference)"
        }
    }

    public struct Report: CustomStringConvertible, Sendable {
        public let checked: Int
        public let mismatches: [Mismatch]
        public let maxAbsoluteError: Double
        public var passed: Bool { mismatches.isEmpty }
        public var description: String {
            passed ? "gradient check passed (\(checked) coordinates, max error \(maxAbsoluteError))"
                : "gradient check failed at \(mismatches.count) of \(checked) coordinates; first: " + mismatches.prefix(3).map(\.description).joined(separator: "; ")
        }
    }

    /// Checks the gradient of `function` with respect to each tensor in `inputs` (they are made
    /// to require gradients). At most `maxCoordinates` coordinates per input are checked, spread
    /// evenly over the tensor.
    public static func run(
        inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Double = 5e-3, relativeTolerance: Double = 1e-2,
        maxCoordinates: Int = 96, seed: UInt64 = 7,
        _ function: ([Tensor]) throws -> Tensor
    ) throws -> Report {
        for x in inputs { x.requiresGrad = true; x.zeroGrad() }
        let y = try function(inputs)
        var g = SeededGenerator(seed: seed)
        let projection = Tensor.randomUniform(y.shape, low: -1, high: 1, using: &g)
        try y.backward(seed: projection)
        let analytic = inputs.map { $0.grad?.data ?? [Float](repeating: 0, count: $0.count) }

        func loss() throws -> Double {
            let out = try withNoGrad { try function(inputs) }
            var total = 0.0
            for (a, b) in zip(out.data, projection.data) { total += Double(a) * Double(b) }
            return total
        }

        var mismatches: [Mismatch] = [], checked = 0, worst = 0.0
        for (index, x) in inputs.enumerated() {
            let n = x.count
            let stride = Swift.max(1, n / maxCoordinates)
            for j in Swift.stride(from: 0, to: n, by: stride) {
                let original = x.data[j]
                x.withMutableValues { $0[j] = original + step }
                let plus = try loss()
                x.withMutableValues { $0[j] = original - step }
                let minus = try loss()
                x.withMutableValues { $0[j] = original }
                // The step actually taken in Float (x ± h rounds), for an exact denominator.
                let taken = Double(original + step) - Double(original - step)
                let expected = (plus - minus) / taken
                let received = Double(analytic[index][j])
                let error = abs(received - expected)
                worst = Swift.max(worst, error)
                checked += 1
                if error > absoluteTolerance + relativeTolerance * abs(expected) {
                    mismatches.append(Mismatch(input: index, coordinate: j, received: received, expected: expected))
                }
            }
        }
        for x in inputs { x.zeroGrad() }
        return Report(checked: checked, mismatches: mismatches, maxAbsoluteError: worst)
    }
}

/// Checks a gradient with respect to one layer's output, ∂ logits[label] / ∂ A, by central
/// differences: A is replaced through a forward hook on `layer` by A ± h at every `stride`-th
/// coordinate from `start` that lies more than 2h from ReLU's kink at 0 (the quotient is exact
/// there). h = 0.01; Float32 logits ≈ 10 carry ~1e-6 rounding, 5e-5 after dividing by 2h, so a
/// coordinate fails above 1e-3 + 1% of the central difference.
///
/// - Returns: how many coordinates were checked, and a line for each that disagreed.
public func layerGradientCheck(model: Module, layer: String, image: Tensor, label: Int, activation: Tensor,
                               received: Tensor, start: Int, stride step: Int) throws -> (checked: Int, failures: [String]) {
    let h: Float = 1e-2
    let module = try model.module(named: layer)
    func score(_ values: [Float]) throws -> Double {
        let replaced = try Tensor(shape: activation.shape, data: values)
        let handle = module.registerForwardHook(replacingOutput: { _, _, _ in replaced })
        defer { handle.remove() }
        return Double(try withNoGrad { try model(image) }.data[label])
    }
    var checked = 0, failures: [String] = []
    for j in stride(from: start, to: activation.count, by: step) where Swift.abs(activation.data[j]) > 2 * h {
        var plus = activation.data, minus = activation.data
        plus[j] += h; minus[j] -= h
        let expected = (try score(plus) - score(minus)) / Double(2 * h)
        if Swift.abs(Double(received.data[j]) - expected) > 1e-3 + 1e-2 * Swift.abs(expected) {
            failures.append("coordinate \(j): received \(received.data[j]), central difference \(expected)")
        }
        checked += 1
    }
    return (checked, failures)
}
