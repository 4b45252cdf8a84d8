// Lesson 10's stretch, no exercise (`workbook train --right-reasons` runs it in both editions):
// "Right for the right reasons" (Ross, Hughes & Doshi-Velez 2017). Train with a penalty on the input gradient inside a region the model must not use (Decoy MNIST's swatch),
//
//     loss = cross-entropy + λ · mean_n Σ_d (A_nd · ∂/∂x_nd Σ_k log p_nk)²
//
// The penalty's gradient with respect to the weights is a gradient of a gradient. The engine's
// backward closures work on plain arrays (no `create_graph`), so this file gets the second-order
// term from the symmetry of mixed partial derivatives instead (Pearlmutter 1994):
//
//     S(x, θ) = Σ_n Σ_k log p_nk,   g = ∂S/∂x,   R = Σ (A ⊙ g)²,   v = 2 A² ⊙ g   (held fixed)
//     ∇_θ R = (∂g/∂θ)ᵀ v = ∂/∂θ (vᵀ ∂S/∂x) = d/dε ∇_θ S(x + ε v, θ) at ε = 0
//
// and takes the last derivative by a central difference in ε: two ordinary backward passes at
// x ± ε v. For a network that is smooth along the segment the error is O(ε²); for a ReLU network
// it is exact unless a unit changes sign between x − εv and x + εv, which a perturbation of 0.01
// (pixel values in [0, 1]) inside the 16 swatch pixels rarely does. The test compares it with
// central differences of R itself, in the weights, on a smooth network.

import Foundation
import TensorEngine

/// The input-gradient penalty of a batch: R = Σ_n Σ_d (A_nd · g_nd)² with g = ∂/∂x Σ_n Σ_k log p_nk.
/// `regions` (A) is shaped like `images`. Returns R and g. One forward and one backward pass
/// (to the input only: no weight receives a gradient).
public func inputGradientPenalty(of model: Module, images: Tensor, regions: Tensor) throws -> (penalty: Float, inputGradient: Tensor) {
    guard regions.shape == images.shape else {
        throw TensorError.invalidArgument(operation: "input-gradient penalty", message: "regions must be shaped like the images \(images.shape); received \(regions.shape)")
    }
    let x = images.detached()
    x.requiresGrad = true
    let logProbabilities = try model(x).logSoftmax()
    try logProbabilities.sum().backward(inputs: [x])
    guard let g = x.grad else { throw TensorError.gradient(message: "the input received no gradient") }
    var penalty: Float = 0
    for i in 0..<g.count { let a = regions.data[i] * g.data[i]; penalty += a * a }
    return (penalty, g)
}

/// Adds `weight` · ∇_θ R / N to every parameter's `grad` (N = the batch size, so the penalty is a
/// mean over the images like the cross-entropy) by the central difference in ε explained above,
/// with ε chosen so that the largest input change is `perturbation`. Returns R / N. Cost: one
/// backward pass to the input and two full forward and backward passes.
@discardableResult
public func accumulatePenaltyGradient(of model: Module, images: Tensor, regions: Tensor, weight: Float,
                                      perturbation: Float = 0.01) throws -> Float {
    guard perturbation > 0, perturbation.isFinite, weight.isFinite else {
        throw TensorError.invalidArgument(operation: "input-gradient penalty", message: "weight and perturbation must be finite, perturbation > 0")
    }
    let n = Float(images.shape.first ?? 1)
    let (penalty, g) = try inputGradientPenalty(of: model, images: images, regions: regions)
    let v = (0..<g.count).map { 2 * regions.data[$0] * regions.data[$0] * g.data[$0] }
    let largest = v.reduce(0) { max($0, abs($1)) }
    guard largest > 0, weight != 0 else { return penalty / n }
    let epsilon = perturbation / largest
    for sign: Float in [1, -1] {
        let shifted = try Tensor(shape: images.shape, data: (0..<v.count).map { images.data[$0] + sign * epsilon * v[$0] })
        let s = try model(shifted).logSoftmax().sum()
        try s.backward(seed: Tensor(shape: s.shape, data: [sign * weight / (2 * epsilon * n)]))
    }
    return penalty / n
}

/// The 28×28 swatch region of each Decoy MNIST image, `[N, 1, 28, 28]` (1 on the 16 pixels).
public func decoyRegions(corners: [UInt8]) throws -> Tensor {
    try Tensor(shape: [corners.count, 1, DecoyMNIST.side, DecoyMNIST.side],
               data: corners.flatMap { DecoyMNIST.mask(corner: $0).map(Float.init) })
}

/// Trains `model` as `Trainer.train` does (Adam, one-cycle schedule, the same shuffling and
/// shifts — each image's region is shifted with it) with the input-gradient penalty of weight
/// `weight` on `regions` (`[count, 1, H, W]`, one per training image). Weight 0 is plain training.
/// Each step costs about four ordinary ones (the penalty's three passes and the cross-entropy's).
public func trainRightForTheRightReasons(
    _ model: Module, on training: LabeledImages, regions: Tensor, testingOn test: LabeledImages,
    configuration: TrainingConfiguration, weight: Float,
    progress: (Int, Int) -> Void = { _, _ in }, epochDone: (EpochReport, Float) -> Void = { _, _ in }
) throws -> [EpochReport] {
    guard regions.rank == 4, regions.shape[0] == training.count, regions.shape[1] == 1,
          Array(regions.shape[2...]) == Array(training.imageShape[1...]) else {
        throw TensorError.invalidArgument(operation: "right for the right reasons", message: "regions must be [\(training.count), 1, \(training.imageShape[1]), \(training.imageShape[2])]; received \(regions.shape)")
    }
    var generator = SeededGenerator(seed: configuration.seed)
    let optimizer = Adam(parameters: model.parameters(), learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
    let stepsPerEpoch = (training.count + configuration.batchSize - 1) / configuration.batchSize
    let schedule = OneCycleSchedule(maximum: configuration.learningRate, totalSteps: stepsPerEpoch * configuration.epochs)
    let (channels, area) = (training.imageShape[0], training.imageShape[1] * training.imageShape[2])
    var reports: [EpochReport] = []
    var step = 0
    for epoch in 1...configuration.epochs {
        let start = Date()
        model.train()
        let order = Array(0..<training.count).shuffled(using: &generator)
        var lossSum = 0.0, penaltySum = 0.0, correct = 0
        for b in 0..<stepsPerEpoch {
            let indices = order[(b * configuration.batchSize)..<min((b + 1) * configuration.batchSize, training.count)]
            let (images, labels) = training.batch(indices)
            let count = indices.count
            // Shift image and region together: the region rides along as one more channel.
            var stacked = [Float](); stacked.reserveCapacity(count * (channels + 1) * area)
            for (k, index) in indices.enumerated() {
                stacked += images.data[(k * channels * area)..<((k + 1) * channels * area)]
                stacked += regions.data[(index * area)..<((index + 1) * area)]
            }
            let shifted = randomlyShifted(try Tensor(shape: [count, channels + 1] + Array(training.imageShape[1...]), data: stacked),
                                          maximum: configuration.maximumShift, using: &generator)
            let x = try shifted.sliced(axis: 1, 0..<channels).detached()
            let region = try Tensor(shape: x.shape, data: (0..<(count * channels * area)).map { i in
                shifted.data[((i / (channels * area)) * (channels + 1) + channels) * area + i % area]
            })
            optimizer.learningRate = schedule.rate(atStep: step)
            optimizer.zeroGrad()
            let penalty = weight > 0 ? try accumulatePenaltyGradient(of: model, images: x, regions: region, weight: weight) : 0
            let logits = try model(x)
            let loss = try logits.crossEntropy(labels: labels)
            let value = try loss.item()
            guard value.isFinite, penalty.isFinite else {
                throw ModelZooError.training("the loss became \(value) (penalty \(penalty)) at epoch \(epoch), step \(b + 1): lower the weight or the learning rate")
            }
            try loss.backward()
            try optimizer.step()
            lossSum += Double(value) * Double(count); penaltySum += Double(penalty) * Double(count)
            correct += zip(logits.argmax(), labels).filter { $0 == $1 }.count
            step += 1
            progress(step, stepsPerEpoch * configuration.epochs)
        }
        let accuracy = try Evaluation.accuracy(of: model, on: test)
        let report = EpochReport(epoch: epoch, trainingLoss: lossSum / Double(training.count),
                                 trainingAccuracy: Double(correct) / Double(training.count),
                                 testAccuracy: accuracy, seconds: Date().timeIntervalSince(start))
        reports.append(report)
        epochDone(report, Float(penaltySum / Double(training.count)))
    }
    model.eval()
    return reports
}
