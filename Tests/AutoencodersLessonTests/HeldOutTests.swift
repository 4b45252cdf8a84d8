// Held-out inputs for lesson 11 (see `HeldOut` in TestSupport): each exercise on inputs drawn when
// the graders run, against the reference computed live. Only where the reference is compiled in (the
// full edition and the Gradescope judge); the student edition grades from recorded answers for the
// visible inputs alone.

#if canImport(AutoencodersSolutions)
import AutoencodersSolutions
import Course
import LessonSupport
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 11 — held-out inputs", .graded(Exercises.lesson))
struct AutoencodersHeldOutTests {
    /// `count` drawn test digits as rows `[count, 784]`.
    static func rows(_ draw: HeldOutInputs, _ count: Int) throws -> Tensor {
        try draw.mnistImages(count).images.reshaped([count, 784])
    }

    /// The reference's loss and its gradients with respect to the encoder and the decoder.
    static func referenceLoss(_ data: Tensor, _ encoder: Tensor, _ decoder: Tensor) throws -> (loss: Float, encoder: [Float], decoder: [Float]) {
        let (e, w) = (encoder.detached(), decoder.detached())
        e.requiresGrad = true; w.requiresGrad = true
        let loss = try Exercises.reconstructionError.reference(data, e, w)
        try loss.backward()
        return (try loss.item(), try e.grad.orThrow("no gradient").data, try w.grad.orThrow("no gradient").data)
    }

    @Test("Exercise 11.1: held-out digits and weights")
    func reconstructionError() throws {
        let draw = try HeldOutInputs(Exercises.reconstructionError.number)
        let data = try Self.rows(draw, draw.int(in: 4...20))
        let k = draw.int(in: 1...4, "components")
        let encoder = draw.uniform([k, 784], low: -0.05, high: 0.05, "encoder"), decoder = draw.uniform([784, k], low: -0.05, high: 0.05, "decoder")
        let expected = try Self.referenceLoss(data, encoder, decoder)
        let mine = try gradedLossAndGradients(data, encoder, decoder)
        draw.check([mine.loss], [expected.loss], "the loss", tolerance: 1e-5)
        draw.check(mine.encoder ?? [], expected.encoder, "∂L/∂encoder (none arrived: [])", tolerance: 1e-4)
        draw.check(mine.decoder ?? [], expected.decoder, "∂L/∂decoder (none arrived: [])", tolerance: 1e-4)
    }

    @Test("Exercise 11.2: held-out digits, components, steps and seed")
    func trainLinearAutoencoder() throws {
        let draw = try HeldOutInputs(Exercises.trainLinearAutoencoder.number)
        let data = try Self.rows(draw, draw.int(in: 20...60))
        let k = draw.int(in: 1...3, "components")
        let settings = LinearAutoencoderSettings(steps: draw.int(in: 3...10, "steps"), learningRate: draw.float(in: 0.005, 0.02, "learning rate"),
                                                 seed: draw.seed())
        // 11.2 runs the student's 11.1 every step: it must agree at the starting weights first.
        let (encoder, decoder) = initialWeights(k: k, d: 784, settings: settings)
        let start = try Self.referenceLoss(data, encoder, decoder)
        try requireEarlier("11.1", for: "11.2", "the loss and its gradients at the held-out starting weights") {
            let mine = try gradedLossAndGradients(data, encoder, decoder)
            guard let e = mine.encoder, let w = mine.decoder else { return false }
            return scaledDifference([mine.loss], [start.loss], relative: LossTolerance.relative, what: "") == nil
                && scaledDifference(e, start.encoder, relative: 1e-4, what: "") == nil && scaledDifference(w, start.decoder, relative: 1e-4, what: "") == nil
        }
        let expected = try Exercises.trainLinearAutoencoder.reference(data, k, settings)
        let mine = try Graded.trainLinearAutoencoder(data, components: k, settings: settings)
        draw.check(mine.losses, expected.losses, "the losses, step by step", tolerance: TrainingCase.tolerance)
        draw.check(mine.encoder, expected.encoder, "the trained encoder", tolerance: 1e-3)
        draw.check(mine.decoder, expected.decoder, "the trained decoder", tolerance: 1e-3)
    }

    @Test("Exercise 11.3: held-out subspaces")
    func principalAngles() throws {
        let draw = try HeldOutInputs(Exercises.principalAngles.number)
        let d = draw.int(in: 5...12, "dimensions")
        let a = try draw.normalMatrix(rows: d, columns: draw.int(in: 1...3), "basis A")
        let b = try draw.normalMatrix(rows: d, columns: draw.int(in: 1...3), "basis B")
        let expected = try Exercises.principalAngles.reference(a, b)
        draw.check(try Graded.principalAngles(between: a, and: b), expected, "the principal angles", tolerance: 1e-6)
    }

    @Test("Exercise 11.4: a held-out code size and seed, the reference's weights copied in")
    func convolutionalAutoencoder() throws {
        let draw = try HeldOutInputs(Exercises.convolutionalAutoencoder.number)
        let code = draw.int(in: 2...48, "code"), seed = draw.seed()
        let expected = try Exercises.convolutionalAutoencoder.reference(code, seed)
        let mine = try Graded.convolutionalAutoencoder(code: code, seed: seed)
        let names = { (m: Module) in m.namedParameters().map { "\($0.0) \($0.1.shape)" } }
        guard draw.checkEqual(names(mine), names(expected), "the parameters' names and shapes") else { return }
        // The initial values are the student's to choose: the reference's are copied in, then both
        // must compute the same codes and reconstructions.
        for ((_, parameter), (_, source)) in zip(mine.namedParameters(), expected.namedParameters()) { try parameter.assign(source.data) }
        let (images, _) = try draw.mnistImages(draw.int(in: 1...4))
        draw.check(try withNoGrad { try mine.module(named: "encoder")(images) }, try withNoGrad { try expected.module(named: "encoder")(images) },
                   "the codes", tolerance: 1e-5)
        draw.check(try withNoGrad { try mine(images) }, try withNoGrad { try expected(images) }, "the reconstructions", tolerance: 1e-5)
    }

    @Test("Exercise 11.5: held-out digits and batch size")
    func encode() throws {
        let draw = try HeldOutInputs(Exercises.encode.number)
        let (images, _) = try draw.mnistImages(draw.int(in: 5...9))
        let batchSize = draw.int(in: 2...4, "batch size")
        let expected = try Exercises.encode.reference(images, try Fixtures.autoencoder(), batchSize)
        let mine = try Graded.encode(images, with: try Fixtures.autoencoder(), batchSize: batchSize)
        draw.check(mine, expected, "the codes", tolerance: 1e-5)
    }

    @Test("Exercise 11.6: held-out fitted and new digits, map and neighbourhood size")
    func mapComparison() throws {
        let draw = try HeldOutInputs(Exercises.mapComparison.number)
        let (fitted, _) = try draw.mnistImages(draw.int(in: 24...40))
        let (heldOut, _) = try draw.mnistImages(draw.int(in: 24...40))
        let map = try draw.normalMatrix(rows: fitted.shape[0], columns: 2, "t-SNE map")
        let k = draw.int(in: 2...6, "neighbours")
        let model = try Fixtures.autoencoder()
        // 11.6 runs the student's 11.5 and lesson 09's 9.6: they must agree here first.
        try requireEarlier("11.5", for: "11.6", "the codes of the held-out digits") {
            for images in [fitted, heldOut] {
                let mine = try Graded.encode(images, with: model, batchSize: 256), theirs = try Exercises.encode.reference(images, model, 256)
                guard mine.rows == theirs.rows, mine.columns == theirs.columns, agree(mine.values, theirs.values, tolerance: codeTolerance(theirs.values)) else { return false }
            }
            return true
        }
        let pixels = try Matrix(try fitted.reshaped([fitted.shape[0], 784]))
        let trust = try EmbeddingsGraded.trustworthiness.reference(pixels, map, k)
        try requireEarlier("9.6", for: "11.6", "trustworthiness (lesson 09) of the held-out map") {
            abs(try Graded.trustworthiness(high: pixels, low: map, neighbours: k) - trust) <= 1e-9
        }
        let expected = try Exercises.mapComparison.reference(model, fitted, heldOut, map, k)
        let mine = try Graded.mapComparison(of: try Fixtures.autoencoder(), fitted: fitted, heldOut: heldOut, tsneMap: map, neighbours: k)
        draw.check([mine.tsne, mine.codes, mine.newCodes], [expected.tsne, expected.codes, expected.newCodes],
                   "the trustworthiness of the t-SNE map, the codes and the new digits' codes", tolerance: MapComparisonCase.tolerance)
    }
}
#endif
