// The mistake catalogue of Lesson 11: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify`).

import Course
import EmbeddingsSolutions
import Foundation
import LessonSupport
import TensorEngine

public enum AutoencodersMistakes {
    // MARK: 11.1

    public static func reconstructionError(_ id: AutoencodersCourse.ReconstructionError, of data: Tensor, encoder: Tensor, decoder: Tensor) throws -> Tensor {
        try checkLinearAutoencoderShapes(data: data, encoder: encoder, decoder: decoder)
        switch id {
        case .noCentring:
            return try data.linear(weight: encoder, bias: nil).linear(weight: decoder, bias: nil).meanSquaredError(target: data)
        case .tiedDecoder:
            let centred = try data - data.detached().mean(axes: [0], keepDims: true)
            return try centred.linear(weight: encoder, bias: nil).matmul(encoder).meanSquaredError(target: centred)
        case .sumOverPixels:
            let centred = try data - data.detached().mean(axes: [0], keepDims: true)
            return try centred.linear(weight: encoder, bias: nil).linear(weight: decoder, bias: nil).meanSquaredError(target: centred) * Float(data.shape[1])
        }
    }

    // MARK: 11.2

    public static func trainLinearAutoencoder(_ id: AutoencodersCourse.Training, _ data: Tensor, components k: Int, settings: LinearAutoencoderSettings) throws -> LinearAutoencoder {
        guard data.rank == 2, data.shape[0] >= 2, k >= 1, k <= data.shape[1], settings.steps >= 1 else {
            return try AutoencodersSolutions.trainLinearAutoencoder(data, components: k, settings: settings)
        }
        let d = data.shape[1]
        var generator = SeededGenerator(seed: settings.seed)
        let encoder = id == .zeroInitialisation ? Tensor.zeros([k, d]) : Tensor.randomNormal([k, d], std: settings.initialScale, using: &generator)
        let decoder = id == .zeroInitialisation ? Tensor.zeros([d, k]) : Tensor.randomNormal([d, k], std: settings.initialScale, using: &generator)
        encoder.requiresGrad = true
        decoder.requiresGrad = true
        let adam = Adam(parameters: [encoder, decoder], learningRate: settings.learningRate)
        var losses: [Float] = []
        for _ in 0..<settings.steps {
            if id != .gradientsAccumulate { adam.zeroGrad() }
            let loss = try AutoencodersSolutions.reconstructionError(of: data, encoder: encoder, decoder: decoder)
            if id != .lossAfterStep { losses.append(try loss.item()) }
            try loss.backward()
            try adam.step()
            if id == .lossAfterStep {
                losses.append(try withNoGrad { try AutoencodersSolutions.reconstructionError(of: data, encoder: encoder, decoder: decoder) }.item())
            }
        }
        return LinearAutoencoder(encoder: encoder.detached(), decoder: decoder.detached(), mean: try data.mean(axes: [0]), losses: losses)
    }

    // MARK: 11.3

    public static func principalAngles(_ id: AutoencodersCourse.PrincipalAngles, between a: Matrix, and b: Matrix) throws -> [Double] {
        switch id {
        case .radians:
            return try AutoencodersSolutions.principalAngles(between: a, and: b).map { $0 * .pi / 180 }
        case .axesNotSubspaces:
            try checkSubspaces(a, b)
            return (0..<min(a.columns, b.columns)).map { j in
                let (x, y) = (a.column(j), b.column(j))
                let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
                let norms = (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
                return acos(min(abs(dot) / norms, 1)) * 180 / .pi
            }.sorted()
        case .notOrthonormalised:
            try checkSubspaces(a, b)
            let m = matrixProduct(a.transposed, b)
            let gram = m.rows >= m.columns ? matrixProduct(m.transposed, m) : matrixProduct(m, m.transposed)
            return symmetricEigenvalues(gram).map { min(max($0, 0).squareRoot(), 1) }.sorted(by: >).map { acos($0) * 180 / .pi }
        }
    }

    // MARK: 11.4

    public static func convolutionalAutoencoder(_ id: AutoencodersCourse.Architecture, code: Int, seed: UInt64) throws -> Sequential {
        guard code >= 1 else { return try AutoencodersSolutions.convolutionalAutoencoder(code: code, seed: seed) }
        var g = SeededGenerator(seed: seed)
        let encoder = Sequential([
            Conv2d(1, 16, kernelSize: 3, stride: 2, padding: 1, generator: &g), ReLU(),
            Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, generator: &g), ReLU(),
            Flatten(), Linear(32 * 7 * 7, 64, generator: &g), ReLU(), Linear(64, code, generator: &g),
        ] + (id == .reluOnCode ? [ReLU()] : []))
        let outputPadding = id == .noOutputPadding ? 0 : 1
        let decoder = Sequential([
            Linear(code, 64, generator: &g), ReLU(), Linear(64, 32 * 7 * 7, generator: &g), ReLU(), Unflatten([32, 7, 7]),
            ConvTranspose2d(32, 16, kernelSize: 3, stride: 2, padding: 1, outputPadding: outputPadding, generator: &g), ReLU(),
            ConvTranspose2d(16, 1, kernelSize: 3, stride: 2, padding: 1, outputPadding: outputPadding, generator: &g),
        ] + (id == .noSigmoid ? [] : [Sigmoid()]))
        return Sequential(named: [("encoder", encoder), ("decoder", decoder)])
    }

    // MARK: 11.5

    public static func encode(_ id: AutoencodersCourse.Encode, _ images: Tensor, with autoencoder: Module, batchSize: Int) throws -> Matrix {
        guard batchSize > 0, images.rank == 4, images.shape[0] >= 1 else {
            return try AutoencodersSolutions.encode(images, with: autoencoder, batchSize: batchSize)
        }
        let n = images.shape[0]
        switch id {
        case .wholeNetwork:
            let out = try withNoGrad { try autoencoder(images) }
            return try Matrix(out.reshaped([n, out.count / n]))
        case .dropsLastBatch:
            let kept = max(n / batchSize * batchSize, min(n, batchSize))
            return try AutoencodersSolutions.encode(images.sliced(axis: 0, 0..<kept), with: autoencoder, batchSize: batchSize)
        case .recordsGraph:
            let encoder = try autoencoder.module(named: "encoder")
            var values: [Double] = [], width = 0
            for start in stride(from: 0, to: n, by: batchSize) {
                let codes = try encoder(images.sliced(axis: 0, start..<min(start + batchSize, n)))
                width = codes.shape[1]
                values += codes.data.map(Double.init)
            }
            return try Matrix(rows: n, columns: width, values: values)
        }
    }

    // MARK: 11.6

    public static func mapComparison(_ id: AutoencodersCourse.Comparison, of autoencoder: Module, fitted: Tensor, heldOut: Tensor, tsneMap: Matrix, neighbours k: Int) throws -> MapComparison {
        let right = try AutoencodersSolutions.mapComparison(of: autoencoder, fitted: fitted, heldOut: heldOut, tsneMap: tsneMap, neighbours: k)
        let fittedPixels = try pixelRows(fitted), heldOutPixels = try pixelRows(heldOut)
        switch id {
        case .heldOutAgainstFittedPixels:
            let codes = try AutoencodersSolutions.encode(heldOut, with: autoencoder, batchSize: 256)
            return MapComparison(tsne: right.tsne, codes: right.codes, newCodes: try trustworthiness(high: fittedPixels, low: codes, neighbours: k))
        case .codesAgainstTSNE:
            let codes = try AutoencodersSolutions.encode(fitted, with: autoencoder, batchSize: 256)
            return MapComparison(tsne: right.tsne, codes: try trustworthiness(high: tsneMap, low: codes, neighbours: k), newCodes: right.newCodes)
        case .reconstructions:
            func outputs(_ images: Tensor) throws -> Matrix {
                let out = try withNoGrad { try autoencoder(images) }
                return try Matrix(out.reshaped([images.shape[0], out.count / images.shape[0]]))
            }
            return MapComparison(tsne: right.tsne, codes: try trustworthiness(high: fittedPixels, low: try outputs(fitted), neighbours: k),
                                 newCodes: try trustworthiness(high: heldOutPixels, low: try outputs(heldOut), neighbours: k))
        }
    }
}
