import Foundation

/// Element-wise arithmetic with broadcasting. Each op's backward sits right under its forward.
///
/// For `z = a ∘ b` broadcast to shape S, the backward computes ∂L/∂a on S and then sums it back to
/// a's shape (`Broadcasting.reduce`), because a broadcast input was used once per copy.
extension Tensor {
    /// Applies `forward` element-wise to broadcast operands; `backward` returns the local
    /// derivatives (∂z/∂a, ∂z/∂b) at one element given a, b and z.
    @inline(__always)
    private static func broadcasting(
        _ operation: String, _ a: Tensor, _ b: Tensor,
        forward: (Float, Float) -> Float,
        backward: @escaping (_ a: Float, _ b: Float, _ z: Float) -> (Float, Float)
    ) throws -> Tensor {
        let shape = try Broadcasting.shape(a.shape, b.shape, operation: operation)
        let count = shape.reduce(1, *)
        let ia = Access(a.shape, a.count, in: shape), ib = Access(b.shape, b.count, in: shape)
        let av = a.data, bv = b.data
        // (Inlined at each operator, so `forward` is a known function and these loops vectorise.)
        let out = [Float](uninitializedCount: count) { o in
            av.withUnsafeBufferPointer { x in
                bv.withUnsafeBufferPointer { y in
                    switch (ia, ib) {
                    case (.same, .same): for i in 0..<count { o[i] = forward(x[i], y[i]) }
                    case (.same, .scalar): let c = y[0]; for i in 0..<count { o[i] = forward(x[i], c) }
                    case (.scalar, .same): let c = x[0]; for i in 0..<count { o[i] = forward(c, y[i]) }
                    case (.same, .tiled(let p)):
                        for row in stride(from: 0, to: count, by: p) { for j in 0..<p { o[row &+ j] = forward(x[row &+ j], y[j]) } }
                    case (.tiled(let p), .same):
                        for row in stride(from: 0, to: count, by: p) { for j in 0..<p { o[row &+ j] = forward(x[j], y[row &+ j]) } }
                    default: for i in 0..<count { o[i] = forward(x[ia.at(i)], y[ib.at(i)]) }
                    }
                }
            }
        }
        let z = out
        return makeResult(operation, shape: shape, data: out, inputs: [a, b]) { g, needed in
            var ga = needed[0] ? [Float](repeating: 0, count: count) : []
            var gb = needed[1] ? [Float](repeating: 0, count: count) : []
            av.withUnsafeBufferPointer { x in
                bv.withUnsafeBufferPointer { y in
                    z.withUnsafeBufferPointer { z in
                        g.withUnsafeBufferPointer { g in
                            ga.withUnsafeMutableBufferPointer { ga in
                                gb.withUnsafeMutableBufferPointer { gb in
                                    // The operand reads chosen once, as in forward (an empty gradient
                                    // buffer is never written: `needed` guards it).
                                    @inline(__always) func each(_ a: (Int) -> Float, _ b: (Int) -> Float) {
                                        for i in 0..<count {
                                            let (da, db) = backward(a(i), b(i), z[i])
                                            if needed[0] { ga[i] = g[i] * da }
                                            if needed[1] { gb[i] = g[i] * db }
                                        }
                                    }
                                    // A tiled operand, row by row (no division per element).
                                    @inline(__always) func rows(_ p: Int, _ a: (Int, Int) -> Float, _ b: (Int, Int) -> Float) {
                                        for row in stride(from: 0, to: count, by: p) {
                                            for j in 0..<p {
                                                let i = row &+ j
                                                let (da, db) = backward(a(i, j), b(i, j), z[i])
                                                if needed[0] { ga[i] = g[i] * da }
                                                if needed[1] { gb[i] = g[i] * db }
                                            }
                                        }
                                    }
                                    switch (ia, ib) {
                                    case (.same, .same): each({ x[$0] }, { y[$0] })
                                    case (.same, .scalar): let c = y[0]; each({ x[$0] }, { _ in c })
                                    case (.scalar, .same): let c = x[0]; each({ _ in c }, { y[$0] })
                                    case (.same, .tiled(let p)): rows(p, { i, _ in x[i] }, { _, j in y[j] })
                                    case (.tiled(let p), .same): rows(p, { _, j in x[j] }, { i, _ in y[i] })
                                    default: each({ x[ia.at($0)] }, { y[ib.at($0)] })
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return [needed[0] ? Broadcasting.reduce(ga, from: shape, to: a.shape) : nil,
                    needed[1] ? Broadcasting.reduce(gb, from: shape, to: b.shape) : nil]
        }
    }

    /// How an operand of a broadcast op is read at output position i.
    private enum Access {
        case same                 // same shape as the output: element i
        case scalar               // one element, broadcast everywhere: element 0
        case tiled(Int)           // the output's trailing axes, repeated (a bias row [D] or [1, D] on [N, D]): element i mod p
        case indices([Int])       // anything else: a precomputed source index per output element

        init(_ shape: [Int], _ count: Int, in output: [Int]) {
            if shape == output { self = .same } else if count == 1 { self = .scalar } else if let p = Broadcasting.tilePeriod(of: shape, in: output) {
                self = .tiled(p)
            } else {
                self = .indices(Broadcasting.sourceIndices(of: shape, in: output))
            }
        }

        @inline(__always) func at(_ i: Int) -> Int {
            switch self {
            case .same: return i
            case .scalar: return 0
            case .tiled(let p): return i % p
            case .indices(let source): return source[i]
            }
        }
    }

    /// `a + b` with broadcasting.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        if a.shape == b.shape { return sameShape("add", a, b, forward: +, negatesB: false) }
        return try broadcasting("add", a, b, forward: +) { _, _, _ in (1, 1) }
    }

    /// `a - b` with broadcasting.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        if a.shape == b.shape { return sameShape("sub", a, b, forward: -, negatesB: true) }
        return try broadcasting("sub", a, b, forward: -) { _, _, _ in (1, -1) }
    }

    /// `a ± b` for operands of one shape (a residual connection): ∂a = G and ∂b = ±G, so backward
    /// hands G itself on (shared, not copied) instead of multiplying it by 1 element by element.
    /// The same values as the broadcasting path.
    @inline(__always)
    private static func sameShape(_ operation: String, _ a: Tensor, _ b: Tensor, forward: (Float, Float) -> Float, negatesB: Bool) -> Tensor {
        let count = a.count, av = a.data, bv = b.data
        let out = [Float](uninitializedCount: count) { o in
            av.withUnsafeBufferPointer { x in bv.withUnsafeBufferPointer { y in for i in 0..<count { o[i] = forward(x[i], y[i]) } } }
        }
        return makeResult(operation, shape: a.shape, data: out, inputs: [a, b]) { g, needed in
            [needed[0] ? g : nil, needed[1] ? (negatesB ? g.map { -$0 } : g) : nil]
        }
    }

    /// `a * b` element-wise with broadcasting (not a matrix product: see `matmul`).
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcasting("mul", a, b, forward: *) { a, b, _ in (b, a) }
    }

    /// `a / b` element-wise with broadcasting.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcasting("div", a, b, forward: /) { a, b, _ in (1 / b, -a / (b * b)) }
    }

    /// Element-wise maximum; the gradient goes to `a` where a ≥ b (PyTorch splits ties evenly;
    /// this engine gives them to `a`).
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try broadcasting("maximum", a, b, forward: { Swift.max($0, $1) }) { a, b, _ in a >= b ? (1, 0) : (0, 1) }
    }
}

// MARK: - Unary maps

extension Tensor {
    /// Applies `forward` to every value; `derivative(x, y)` is dy/dx at input x with output y.
    @inline(__always)
    func map(_ operation: String, _ forward: (Float) -> Float,
             derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let x = data
        let y = [Float](uninitializedCount: x.count) { yp in
            x.withUnsafeBufferPointer { xp in
                for i in 0..<xp.count { yp[i] = forward(xp[i]) }
            }
        }
        return Tensor.makeResult(operation, shape: shape, data: y, inputs: [self]) { g, _ in
            [[Float](uninitializedCount: x.count) { dx in
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeBufferPointer { yp in
                        g.withUnsafeBufferPointer { gp in
                            for i in 0..<dx.count { dx[i] = gp[i] * derivative(xp[i], yp[i]) }
                        }
                    }
                }
            }]
        }
    }

    /// `x + c`.
    public static func + (x: Tensor, c: Float) -> Tensor { x.map("add scalar", { $0 + c }) { _, _ in 1 } }
    /// `c + x`.
    public static func + (c: Float, x: Tensor) -> Tensor { x + c }
    /// `x - c`.
    public static func - (x: Tensor, c: Float) -> Tensor { x + (-c) }
    /// `c - x`.
    public static func - (c: Float, x: Tensor) -> Tensor { x.map("rsub scalar", { c - $0 }) { _, _ in -1 } }
    /// `x * c`.
    public static func * (x: Tensor, c: Float) -> Tensor { x.map("mul scalar", { $0 * c }) { _, _ in c } }
    /// `c * x`.
    public static func * (c: Float, x: Tensor) -> Tensor { x * c }
    /// `x / c`.
    public static func / (x: Tensor, c: Float) -> Tensor { x.map("div scalar", { $0 / c }) { _, _ in 1 / c } }
    /// `-x`.
    public static prefix func - (x: Tensor) -> Tensor { x.map("neg", { -$0 }) { _, _ in -1 } }

    /// max(x, 0). The derivative at exactly 0 is taken as 0, as in PyTorch.
    public func relu() -> Tensor {
        // The hottest element-wise op of every CNN, so written out: both loops vectorise.
        let x = data
        // Memory-bound: large tensors are split across the cores (each element written once).
        let grain = 1 << 16
        let y = [Float](uninitializedCount: x.count) { yp in
            x.withUnsafeBufferPointer { xp in
                let (src, dst) = (UncheckedSendable(xp.baseAddress), UncheckedSendable(yp.baseAddress))
                Parallel.forEachRange(xp.count, grain: grain) { range in
                    let (x, y) = (src.value!, dst.value!)
                    for i in range { y[i] = x[i] > 0 ? x[i] : 0 }
                }
            }
        }
        return Tensor.makeResult("relu", shape: shape, data: y, inputs: [self]) { g, _ in
            [[Float](uninitializedCount: x.count) { dx in
                x.withUnsafeBufferPointer { xp in
                    g.withUnsafeBufferPointer { gp in
                        let (xs, gs, ds) = (UncheckedSendable(xp.baseAddress), UncheckedSendable(gp.baseAddress), UncheckedSendable(dx.baseAddress))
                        Parallel.forEachRange(dx.count, grain: grain) { range in
                            let (x, g, d) = (xs.value!, gs.value!, ds.value!)
                            for i in range { d[i] = x[i] > 0 ? g[i] : 0 }
                        }
                    }
                }
            }]
        }
    }
    /// `relu(self + other)` for tensors of one shape, recorded as one op ("add+relu"): a residual
    /// block's last step, one pass instead of two (ResNet-50 writes and re-reads sixteen block
    /// outputs, up to 3.2 MB each, per image). The same bits as the two ops, forward and backward:
    /// each sum is `a + b` as `+` writes it, kept where it is > 0; both inputs get the gradient
    /// where the output is > 0 (where the sum is, as `relu`'s backward tests), else 0, as `add`'s
    /// backward hands it on. Only for `InferenceFusion.residual`, which checks that no hook could
    /// see the sum. (Both loops written out, as in `relu`: through a shared helper taking a
    /// closure they ran 2.5× slower, the closure called per element.)
    func addingReLU(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "add+relu takes tensors of one shape")
        let (a, b) = (data, other.data)
        let grain = 1 << 16
        let y = [Float](uninitializedCount: a.count) { yp in
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    let (sa, sb, sy) = (UncheckedSendable(ap.baseAddress), UncheckedSendable(bp.baseAddress), UncheckedSendable(yp.baseAddress))
                    Parallel.forEachRange(ap.count, grain: grain) { range in
                        let (a, b, y) = (sa.value!, sb.value!, sy.value!)
                        for i in range { let v = a[i] + b[i]; y[i] = v > 0 ? v : 0 }
                    }
                }
            }
        }
        return Tensor.makeResult("add+relu", shape: shape, data: y, inputs: [self, other]) { g, needed in
            let d = [Float](uninitializedCount: y.count) { dp in
                y.withUnsafeBufferPointer { yp in
                    g.withUnsafeBufferPointer { gp in
                        let (ys, gs, ds) = (UncheckedSendable(yp.baseAddress), UncheckedSendable(gp.baseAddress), UncheckedSendable(dp.baseAddress))
                        Parallel.forEachRange(dp.count, grain: grain) { range in
                            let (y, g, d) = (ys.value!, gs.value!, ds.value!)
                            for i in range { d[i] = y[i] > 0 ? g[i] : 0 }
                        }
                    }
                }
            }
            return [needed[0] ? d : nil, needed[1] ? d : nil]
        }
    }

    /// 1 / (1 + e^-x); derivative y(1 - y).
    public func sigmoid() -> Tensor { map("sigmoid", { 1 / (1 + expf(-$0)) }) { _, y in y * (1 - y) } }
    /// tanh x; derivative 1 - y².
    public func tanh() -> Tensor { map("tanh", { tanhf($0) }) { _, y in 1 - y * y } }
    /// e^x; derivative y.
    public func exp() -> Tensor { map("exp", { expf($0) }) { _, y in y } }
    /// ln x; derivative 1/x.
    public func log() -> Tensor { map("log", { logf($0) }) { x, _ in 1 / x } }
    /// √x; derivative 1/(2y).
    public func sqrt() -> Tensor { map("sqrt", { $0.squareRoot() }) { _, y in 0.5 / y } }
    /// x²; derivative 2x.
    public func squared() -> Tensor { map("square", { $0 * $0 }) { x, _ in 2 * x } }
    /// |x|; derivative sign(x) (0 at 0, as in PyTorch).
    public func abs() -> Tensor { map("abs", { Swift.abs($0) }) { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) } }
    /// sign(x) ∈ {-1, 0, 1}; its derivative is 0 everywhere it exists.
    public func sign() -> Tensor { map("sign", { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }) { _, _ in 0 } }
    /// Clamps to [low, high]; the gradient passes where low ≤ x ≤ high (PyTorch's `clamp`).
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        map("clamp", { Swift.min(Swift.max($0, low), high) }) { x, _ in (x >= low && x <= high) ? 1 : 0 }
    }
}
