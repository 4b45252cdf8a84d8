/// Optimisers with PyTorch's update rules, so the same hyper-parameters mean the same thing.
public protocol Optimizer: AnyObject {
    /// Updates every parameter from its `grad` (parameters without a gradient are skipped).
    func step() throws
    /// The learning rate, which schedules may change between steps.
    var learningRate: Float { get set }
    /// The parameters being optimised.
    var parameters: [Tensor] { get }
}

extension Optimizer {
    /// Clears the gradients of every parameter.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// SGD with momentum and weight decay (`torch.optim.SGD`):
/// g ← ∇ + λ·θ;  v ← μ·v + g (v = g on the first step);  θ ← θ − lr·v.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float
    private var velocity: [ObjectIdentifier: [Float]] = [:]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters; self.learningRate = learningRate
        self.momentum = momentum; self.weightDecay = weightDecay
    }

    public func step() throws {
        for p in parameters {
            guard let grad = p.grad?.data else { continue }
            var g = grad
            if weightDecay != 0 { for i in g.indices { g[i] += weightDecay * p.data[i] } }
            if momentum != 0 {
                let key = ObjectIdentifier(p)
                if var v = velocity[key] {
                    for i in v.indices { v[i] = momentum * v[i] + g[i] }
                    velocity[key] = v
                    g = v
                } else {
                    velocity[key] = g
                }
            }
            let lr = learningRate
            p.withMutableValues { values in for i in values.indices { values[i] -= lr * g[i] } }
        }
    }
}

/// Adam (`torch.optim.Adam`, L2 weight decay added to the gradient):
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    private var moments: [ObjectIdentifier: (m: [Float], v: [Float])] = [:]
    private var stepCount = 0

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters; self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    public func step() throws {
        stepCount += 1
        let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(stepCount)))
        let c2 = 1 - Float(Foundation.pow(Double(beta2), Double(stepCount)))
        for p in parameters {
            guard let grad = p.grad?.data else { continue }
            let key = ObjectIdentifier(p)
            // Taken out of the dictionary while updated, so the moments are not copied on write
            // (they were, every step: two copies of every parameter's size).
            var (m, v) = moments.removeValue(forKey: key) ?? ([Float](repeating: 0, count: grad.count), [Float](repeating: 0, count: grad.count))
            let (b1, b2, eps, lr, wd) = (beta1, beta2, epsilon, learningRate, weightDecay)
            let c2Root = c2.squareRoot()
            p.withMutableValues { values in
                precondition(grad.count == values.count && m.count == values.count, "Adam: a gradient or moment of another size than its parameter")
                grad.withUnsafeBufferPointer { g in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in
                            values.withUnsafeMutableBufferPointer { x in
                                for i in 0..<x.count {
                                    let gi = g[i] + wd * x[i]
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    // PyTorch's form: θ −= (lr / c1) · m / (√v / √c2 + ε)
                                    x[i] -= (lr / c1) * m[i] / (v[i].squareRoot() / c2Root + eps)
                                }
                            }
                        }
                    }
                }
            }
            moments[key] = (m, v)
        }
    }
}

import Foundation
