import Foundation
import Testing
import TensorEngine
import TestSupport

// Every op's forward output and gradients against values PyTorch computed on the same inputs.
//
// The reference values are in Fixtures/pytorch-ops.json, written by Fixtures/make_pytorch_fixtures.py
// (the command and the torch version are at the top of that script and in Fixtures/README.md). Each
// case holds the inputs, the forward output `out`, a random backward seed `seed` (PyTorch called
// `y.backward(seed)`), and the gradient `grad_<input>` of every input and parameter.
//
// **Tolerance.** Both sides compute in Float32, but in a different order (PyTorch's kernels
// vectorise and block their sums differently from this engine's GEMM), so results differ by
// rounding only: a few ulps of the largest terms in a sum. The largest sums here have ~50 terms of
// size ~1, so the expected error is ~50 · 6e-8 ≈ 3e-6 at worst. We require
// |received − expected| ≤ 1e-5 · (1 + |expected|) for every value: a 3× margin over rounding,
// and far below any real mistake (a wrong index, a missing factor or a wrong convention such as
// half-pixel offsets or `count_include_pad` is off by 1e-2 or more).
//
// Set PYTORCH_AGREEMENT_VERBOSE=1 to print the largest difference of every compared tensor.

/// The decoded fixture file.
struct PyTorchFixture: Decodable, Sendable {
    let torch: String
    let command: String
    let cases: [PyTorchCase]
}

/// A tensor as stored in the fixture: its shape and its values, row-major.
struct FixtureArray: Decodable, Sendable {
    let shape: [Int]
    let data: [Float]
}

/// One computation PyTorch ran: its op, integer/float/string arguments and named tensors.
struct PyTorchCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let op: String
    let ints: [String: [Int]]
    let floats: [String: Double]
    let strings: [String: [String]]
    let tensors: [String: FixtureArray]

    var testDescription: String { name }

    func array(_ key: String) throws -> FixtureArray {
        guard let a = tensors[key] else {
            throw TensorError.notFound(kind: "fixture tensor in case '\(name)'", name: key, available: tensors.keys.sorted())
        }
        return a
    }

    /// A fresh leaf tensor from the fixture (requiring gradients unless told otherwise).
    func tensor(_ key: String, requiresGrad: Bool = true) throws -> Tensor {
        let a = try array(key)
        return try Tensor(shape: a.shape, data: a.data, requiresGrad: requiresGrad)
    }

    /// The tensor if the case has it (e.g. an optional bias).
    func optionalTensor(_ key: String) throws -> Tensor? {
        tensors[key] == nil ? nil : try tensor(key)
    }

    func int(_ key: String) throws -> [Int] {
        guard let v = ints[key] else {
            throw TensorError.notFound(kind: "integer argument in case '\(name)'", name: key, available: ints.keys.sorted())
        }
        return v
    }

    func pair(_ key: String) throws -> (Int, Int) {
        let v = try int(key)
        guard v.count == 2 else {
            throw TensorError.invalidArgument(operation: name, message: "argument \(key) = \(v) is not a pair")
        }
        return (v[0], v[1])
    }

    func float(_ key: String) throws -> Float {
        guard let v = floats[key] else {
            throw TensorError.notFound(kind: "float argument in case '\(name)'", name: key, available: floats.keys.sorted())
        }
        return Float(v)
    }
}

enum PyTorchReference {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pytorch-ops.json")

    static func load() throws -> PyTorchFixture {
        try JSONDecoder().decode(PyTorchFixture.self, from: Data(contentsOf: url))
    }

    /// Loaded once for the test arguments; a load failure is reported by `fixtureLoads`.
    static let fixture: PyTorchFixture? = try? load()

    static func cases(_ ops: String...) -> [PyTorchCase] {
        fixture?.cases.filter { ops.contains($0.op) } ?? []
    }

    /// The ops this file tests; `fixtureLoads` checks every case belongs to one of them.
    static let knownOps: Set<String> = [
        "conv2d", "conv_transpose2d", "mse_loss", "max_pool2d", "avg_pool2d", "global_avg_pool", "linear", "matmul", "relu", "sigmoid", "tanh",
        "softmax", "log_softmax", "cross_entropy", "batch_norm2d_train", "batch_norm2d_eval",
        "interpolate_bilinear", "interpolate_nearest", "pad", "conv2d_module", "batch_norm2d_module", "adaptive_avg_pool2d",
    ]

    /// Relative tolerance: |received − expected| ≤ tolerance · (1 + |expected|).
    static let tolerance = 1e-5

    static let verbose = ProcessInfo.processInfo.environment["PYTORCH_AGREEMENT_VERBOSE"] != nil
}

/// Compares `received` with the fixture tensor `key` of `testCase` and returns the largest
/// absolute difference. Failures name the op, the case, the tensor and the worst element.
@discardableResult
func expectAgreement(
    _ received: Tensor?, _ key: String, in testCase: PyTorchCase, label: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Double {
    let expected = try testCase.array(key)
    let what = "\(testCase.op) [\(testCase.name)] \(label ?? key)"
    guard let received else {
        Issue.record("\(what): received nil (no gradient reached this tensor), expected shape \(expected.shape)",
                     sourceLocation: sourceLocation)
        return .infinity
    }
    guard received.shape == expected.shape else {
        Issue.record("\(what): received shape \(received.shape), expected (PyTorch) \(expected.shape)",
                     sourceLocation: sourceLocation)
        return .infinity
    }
    var largest = 0.0, worstExcess = -Double.infinity, worstIndex = 0
    for (i, (r, e)) in zip(received.data, expected.data).enumerated() {
        let difference = abs(Double(r) - Double(e))
        let excess = difference.isFinite ? difference - PyTorchReference.tolerance * (1 + abs(Double(e))) : .infinity
        largest = difference.isFinite ? max(largest, difference) : .infinity
        if excess > worstExcess { worstExcess = excess; worstIndex = i }
    }
    if PyTorchReference.verbose {
        print("PyTorch agreement: \(what): max |Δ| = \(largest) over \(expected.data.count) values")
    }
    if worstExcess > 0 {
        let r = received.data[worstIndex], e = expected.data[worstIndex]
        let head = received.data.prefix(6).map { "\($0)" }.joined(separator: ", ")
        let expectedHead = expected.data.prefix(6).map { "\($0)" }.joined(separator: ", ")
        Issue.record("""
            \(what): received \(r), expected (PyTorch) \(e) at flat index \(worstIndex) of shape \(expected.shape) \
            (|Δ| = \(abs(Double(r) - Double(e))), allowed \(PyTorchReference.tolerance) · (1 + |expected|)); \
            max |Δ| = \(largest). First values received [\(head)], expected [\(expectedHead)]
            """, sourceLocation: sourceLocation)
    }
    return largest
}

@Suite("Agreement with PyTorch")
struct PyTorchAgreementTests {
    @Test("the fixture file loads, names its generator and covers every op")
    func fixtureLoads() throws {
        let fixture = try PyTorchReference.load()
        #expect(fixture.torch.hasPrefix("2."), "fixture made with torch \(fixture.torch)")
        #expect(fixture.command.contains("make_pytorch_fixtures.py"))
        let ops = Set(fixture.cases.map(\.op))
        #expect(ops == PyTorchReference.knownOps,
                "ops without a test: \(ops.subtracting(PyTorchReference.knownOps).sorted()); ops without cases: \(PyTorchReference.knownOps.subtracting(ops).sorted())")
        for c in fixture.cases {
            for (key, a) in c.tensors {
                #expect(a.shape.reduce(1, *) == a.data.count, "\(c.name) \(key): shape \(a.shape) vs \(a.data.count) values")
            }
        }
    }

    // MARK: Convolution and pooling

    @Test("conv2d: output and gradients of input, weight and bias", arguments: PyTorchReference.cases("conv2d"))
    func conv2d(_ c: PyTorchCase) throws {
        let x = try c.tensor("x"), weight = try c.tensor("weight"), bias = try c.optionalTensor("bias")
        let y = try x.conv2d(weight: weight, bias: bias, stride: try c.pair("stride"), padding: try c.pair("padding"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
        try expectAgreement(weight.grad, "grad_weight", in: c)
        if let bias { try expectAgreement(bias.grad, "grad_bias", in: c) }
    }

    @Test("conv_transpose2d: output and gradients of input, weight and bias", arguments: PyTorchReference.cases("conv_transpose2d"))
    func transposedConvolution(_ c: PyTorchCase) throws {
        let x = try c.tensor("x"), weight = try c.tensor("weight"), bias = try c.optionalTensor("bias")
        let y = try x.convTranspose2d(weight: weight, bias: bias, stride: try c.pair("stride"), padding: try c.pair("padding"),
                                      outputPadding: try c.pair("output_padding"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
        try expectAgreement(weight.grad, "grad_weight", in: c)
        if let bias { try expectAgreement(bias.grad, "grad_bias", in: c) }
    }

    @Test("mse_loss: the mean squared error and its gradient", arguments: PyTorchReference.cases("mse_loss"))
    func meanSquaredError(_ c: PyTorchCase) throws {
        let x = try c.tensor("x"), target = try c.tensor("target", requiresGrad: false)
        let loss = try x.meanSquaredError(target: target)
        try expectAgreement(loss, "out", in: c)
        try loss.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("max_pool2d: output and gradient", arguments: PyTorchReference.cases("max_pool2d"))
    func maxPool(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y = try x.maxPool2d(kernel: c.pair("kernel"), stride: c.pair("stride"), padding: c.pair("padding"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("avg_pool2d (count_include_pad=True): output and gradient", arguments: PyTorchReference.cases("avg_pool2d"))
    func avgPool(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y = try x.avgPool2d(kernel: c.pair("kernel"), stride: c.pair("stride"), padding: c.pair("padding"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("adaptive_avg_pool2d to any size: output and gradient", arguments: PyTorchReference.cases("adaptive_avg_pool2d"))
    func adaptiveAveragePool(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y = try x.adaptiveAvgPool2d(outputSize: c.pair("size"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("adaptive_avg_pool2d(1) + flatten = globalAveragePool", arguments: PyTorchReference.cases("global_avg_pool"))
    func globalAveragePool(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y = try x.globalAveragePool()
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    // MARK: Dense layers

    @Test("linear: output and gradients", arguments: PyTorchReference.cases("linear"))
    func linear(_ c: PyTorchCase) throws {
        let x = try c.tensor("x"), weight = try c.tensor("weight"), bias = try c.optionalTensor("bias")
        let y = try x.linear(weight: weight, bias: bias)
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
        try expectAgreement(weight.grad, "grad_weight", in: c)
        if let bias { try expectAgreement(bias.grad, "grad_bias", in: c) }
    }

    @Test("matmul: output and gradients", arguments: PyTorchReference.cases("matmul"))
    func matmul(_ c: PyTorchCase) throws {
        let a = try c.tensor("a"), b = try c.tensor("b")
        let y = try a.matmul(b)
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(a.grad, "grad_a", in: c)
        try expectAgreement(b.grad, "grad_b", in: c)
    }

    // MARK: Element-wise and softmax

    @Test("relu, sigmoid, tanh: output and gradient", arguments: PyTorchReference.cases("relu", "sigmoid", "tanh"))
    func activations(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y: Tensor
        switch c.op {
        case "relu": y = x.relu()
        case "sigmoid": y = x.sigmoid()
        default: y = x.tanh()
        }
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("softmax and log_softmax over the last axis", arguments: PyTorchReference.cases("softmax", "log_softmax"))
    func softmax(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y = try c.op == "softmax" ? x.softmax() : x.logSoftmax()
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("cross_entropy (mean) with integer labels", arguments: PyTorchReference.cases("cross_entropy"))
    func crossEntropy(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let y = try x.crossEntropy(labels: c.int("labels"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    // MARK: Batch normalisation

    @Test("batch_norm2d in training mode: output, gradients, updated running statistics",
          arguments: PyTorchReference.cases("batch_norm2d_train"))
    func batchNormTraining(_ c: PyTorchCase) throws {
        let x = try c.tensor("x"), weight = try c.tensor("weight"), bias = try c.tensor("bias")
        let channels = weight.count
        let runningMean = Tensor.zeros([channels]), runningVariance = Tensor.ones([channels])
        let y = try x.batchNorm2d(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                  training: true, momentum: c.float("momentum"), epsilon: c.float("eps"))
        try expectAgreement(y, "out", in: c)
        try expectAgreement(runningMean, "running_mean_after", in: c)
        try expectAgreement(runningVariance, "running_var_after", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
        try expectAgreement(weight.grad, "grad_weight", in: c)
        try expectAgreement(bias.grad, "grad_bias", in: c)
    }

    @Test("batch_norm2d in evaluation mode with given running statistics",
          arguments: PyTorchReference.cases("batch_norm2d_eval"))
    func batchNormEvaluation(_ c: PyTorchCase) throws {
        let x = try c.tensor("x"), weight = try c.tensor("weight"), bias = try c.tensor("bias")
        let runningMean = try c.tensor("running_mean", requiresGrad: false)
        let runningVariance = try c.tensor("running_var", requiresGrad: false)
        let y = try x.batchNorm2d(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                  training: false, momentum: c.float("momentum"), epsilon: c.float("eps"))
        try expectAgreement(y, "out", in: c)
        // Evaluation must leave the statistics alone.
        try expectAgreement(runningMean, "running_mean", in: c, label: "running_mean (unchanged)")
        try expectAgreement(runningVariance, "running_var", in: c, label: "running_var (unchanged)")
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
        try expectAgreement(weight.grad, "grad_weight", in: c)
        try expectAgreement(bias.grad, "grad_bias", in: c)
    }

    // MARK: Resizing and padding

    @Test("F.interpolate bilinear (align_corners=False) and nearest",
          arguments: PyTorchReference.cases("interpolate_bilinear", "interpolate_nearest"))
    func interpolate(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let (height, width) = try c.pair("size")
        let y = try c.op == "interpolate_bilinear"
            ? x.resizedBilinear(height: height, width: width)
            : x.resizedNearest(height: height, width: width)
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    @Test("F.pad constant", arguments: PyTorchReference.cases("pad"))
    func pad(_ c: PyTorchCase) throws {
        let x = try c.tensor("x")
        let p = try c.int("pad")   // F.pad order: left, right, top, bottom
        try #require(p.count == 4)
        let y = try x.padded(top: p[2], bottom: p[3], left: p[0], right: p[1], value: c.float("value"))
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
    }

    // MARK: Modules with PyTorch's state

    @Test("Conv2d module: PyTorch's state_dict names and layouts load and give PyTorch's results",
          arguments: PyTorchReference.cases("conv2d_module"))
    func conv2dModule(_ c: PyTorchCase) throws {
        var generator = SeededGenerator(seed: 1)
        let conv = try Conv2d(c.int("in")[0], c.int("out")[0], kernelSize: c.int("kernel")[0],
                              stride: c.int("stride")[0], padding: c.int("padding")[0], generator: &generator)
        #expect(conv.stateDictionary().map(\.name) == c.strings["state_dict_keys"],
                "Conv2d state names \(conv.stateDictionary().map(\.name)) vs PyTorch \(c.strings["state_dict_keys"] ?? [])")
        for (name, parameter) in conv.stateDictionary() {
            let saved = try c.array("state." + name)
            try #require(parameter.shape == saved.shape, "\(name): engine \(parameter.shape), PyTorch \(saved.shape)")
            try parameter.assign(saved.data)
        }
        let x = try c.tensor("x")
        let y = try conv(x)
        try expectAgreement(y, "out", in: c)
        try y.backward(seed: c.tensor("seed", requiresGrad: false))
        try expectAgreement(x.grad, "grad_x", in: c)
        try expectAgreement(conv.weight.grad, "grad_weight", in: c)
        try expectAgreement(conv.bias?.grad, "grad_bias", in: c)
    }

    @Test("BatchNorm2d module: two training steps then eval() match nn.BatchNorm2d",
          arguments: PyTorchReference.cases("batch_norm2d_module"))
    func batchNormModule(_ c: PyTorchCase) throws {
        let bn = try BatchNorm2d(c.int("channels")[0], momentum: c.float("momentum"), epsilon: c.float("eps"))
        #expect(bn.stateDictionary().map(\.name) == c.strings["state_dict_keys"],
                "BatchNorm2d state names \(bn.stateDictionary().map(\.name)) vs PyTorch \(c.strings["state_dict_keys"] ?? [])")
        #expect(bn.isTraining)
        for step in 1...3 {
            if step == 3 { bn.eval() }
            let x = try c.tensor("x\(step)")
            let y = try bn(x)
            let mode = step == 3 ? "eval, after 2 training steps" : "training step \(step)"
            try expectAgreement(y, "out\(step)", in: c, label: "out (\(mode))")
            bn.zeroGrad()
            try y.backward(seed: c.tensor("seed\(step)", requiresGrad: false))
            try expectAgreement(x.grad, "grad_x\(step)", in: c, label: "grad_x (\(mode))")
            try expectAgreement(bn.weight.grad, "grad_weight\(step)", in: c, label: "grad weight (\(mode))")
            try expectAgreement(bn.bias.grad, "grad_bias\(step)", in: c, label: "grad bias (\(mode))")
            // The running statistics after the step (in eval mode they must not move).
            let statistics = min(step, 2)
            try expectAgreement(bn.runningMean, "running_mean\(statistics)", in: c, label: "running_mean (\(mode))")
            try expectAgreement(bn.runningVariance, "running_var\(statistics)", in: c, label: "running_var (\(mode))")
        }
        let tracked = try c.int("num_batches_tracked")
        #expect(bn.batchesTracked.data == tracked.map(Float.init),
                "num_batches_tracked: received \(bn.batchesTracked.data), expected \(c.ints["num_batches_tracked"] ?? [])")
    }
}
