import Foundation
import TensorEngine

/// How to train a reference model. The defaults are `mnist-gap`'s recipe; `recipe(for:)` gives
/// the one each shipped model was trained with.
public struct TrainingConfiguration: Sendable {
    public var epochs = 15
    public var batchSize = 128
    /// The peak learning rate of the one-cycle schedule (Adam).
    public var learningRate: Float = 0.004
    public var weightDecay: Float = 0
    /// Random shifts of up to this many pixels (0 turns augmentation off).
    public var maximumShift = 2
    /// Mirror each training image left–right with probability ½ (clothes, not digits).
    public var horizontalFlips = false
    public var seed: UInt64 = 2024
    public init() {}

    /// The recipe each shipped model was trained with: `workbook train --model NAME` with no
    /// other option reproduces the shipped file.
    public static func recipe(for model: String) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        switch model {
        case "mnist-fc", "mnist-simplenet": c.epochs = 12
        case "fashion-gap":
            // Clothes are centred and symmetric: no shifts, mirror images instead; the small
            // network underfits Fashion-MNIST, so a higher peak rate and more epochs.
            c.epochs = 20; c.maximumShift = 0; c.horizontalFlips = true; c.learningRate = 0.008
        case "shapes-simplenet":
            // Position, rotation and scale already vary in the data; a zero-filled shift would
            // add black borders the test images never have.
            c.epochs = 12; c.maximumShift = 0
        case "cifar-simplenet":
            // Random shifts of up to 4 px (the usual pad-4 random crop) and mirror images.
            c.epochs = 30; c.maximumShift = 4; c.horizontalFlips = true
        case "mnist-autoencoder":
            // The target is the input itself: no shifts (a shifted digit is still a digit, but the
            // 2-D code should spend itself on shape, not position).
            c.epochs = 20; c.maximumShift = 0; c.batchSize = 128; c.learningRate = 0.004
        default: break   // mnist-gap, mnist-decoy (the mnist-gap recipe on the decoy images)
        }
        return c
    }
}

/// PyTorch's `OneCycleLR` with cosine annealing: the rate rises from `max/25` to `max` over
/// the first 30% of the steps, then falls to `max/25/10⁴`.
public struct OneCycleSchedule: Sendable {
    public let maximum: Float, totalSteps: Int
    public var warmupFraction: Float = 0.3, divisionFactor: Float = 25, finalDivisionFactor: Float = 1e4

    public init(maximum: Float, totalSteps: Int) { self.maximum = maximum; self.totalSteps = totalSteps }

    public func rate(atStep step: Int) -> Float {
        let initial = maximum / divisionFactor, final = initial / finalDivisionFactor
        let warmupEnd = Float(warmupFraction * Float(totalSteps)) - 1
        func cosine(_ from: Float, _ to: Float, _ t: Float) -> Float { to + (from - to) / 2 * (1 + cosf(Float.pi * t)) }
        let s = Float(step)
        if s <= warmupEnd { return cosine(initial, maximum, warmupEnd > 0 ? s / warmupEnd : 1) }
        let rest = Float(totalSteps - 1) - warmupEnd
        return cosine(maximum, final, rest > 0 ? Swift.min((s - warmupEnd) / rest, 1) : 1)
    }
}

/// What one epoch achieved.
public struct EpochReport: Sendable, CustomStringConvertible {
    public let epoch: Int
    public let trainingLoss: Double, trainingAccuracy: Double, testAccuracy: Double
    public let seconds: Double
    public init(epoch: Int, trainingLoss: Double, trainingAccuracy: Double, testAccuracy: Double, seconds: Double) {
        (self.epoch, self.trainingLoss, self.trainingAccuracy, self.testAccuracy, self.seconds) = (epoch, trainingLoss, trainingAccuracy, testAccuracy, seconds)
    }
    public var description: String {
        String(format: "epoch %2d  loss %.4f  train %.2f%%  test %.2f%%  %.1f s", epoch, trainingLoss,
               100 * trainingAccuracy, 100 * testAccuracy, seconds)
    }
}

public enum Trainer {
    /// Trains `model` with Adam and a one-cycle schedule, evaluating on `test` after each epoch.
    /// `progress(step, totalSteps)` is called after every step; `epochDone` after every epoch.
    public static func train(
        _ model: Module, on training: LabeledImages, testingOn test: LabeledImages,
        configuration: TrainingConfiguration,
        progress: (Int, Int) -> Void = { _, _ in }, epochDone: (EpochReport) -> Void = { _ in }
    ) throws -> [EpochReport] {
        var reports: [EpochReport] = []
        var correct = 0
        try optimise(model, on: training, configuration: configuration, progress: progress, loss: { images, labels in
            let logits = try model(images)
            correct += zip(logits.argmax(), labels).filter { $0 == $1 }.count
            return try logits.crossEntropy(labels: labels)
        }, epochEnd: { epoch, meanLoss, start in
            let accuracy = try Evaluation.accuracy(of: model, on: test)
            let report = EpochReport(epoch: epoch, trainingLoss: meanLoss, trainingAccuracy: Double(correct) / Double(training.count),
                                     testAccuracy: accuracy, seconds: Date().timeIntervalSince(start))
            correct = 0
            reports.append(report)
            epochDone(report)
        })
        return reports
    }

    /// The loop every trainer here shares: Adam (the configuration's peak rate and weight decay)
    /// with the one-cycle schedule, each epoch's batches in an order shuffled from the seed, each
    /// batch augmented as configured (random shifts, then flips, from the same generator).
    /// `loss(images, labels)` builds the batch's loss; a non-finite one stops the training, naming
    /// where, instead of writing a model of NaNs. `epochEnd(epoch, mean training loss, start)` runs
    /// after each epoch; the model is left in evaluation mode.
    static func optimise(
        _ model: Module, on training: LabeledImages, configuration: TrainingConfiguration, progress: (Int, Int) -> Void,
        loss: (_ images: Tensor, _ labels: [Int]) throws -> Tensor,
        epochEnd: (_ epoch: Int, _ meanLoss: Double, _ start: Date) throws -> Void
    ) throws {
        var generator = SeededGenerator(seed: configuration.seed)
        let optimizer = Adam(parameters: model.parameters(), learningRate: configuration.learningRate,
                             weightDecay: configuration.weightDecay)
        let stepsPerEpoch = (training.count + configuration.batchSize - 1) / configuration.batchSize
        let schedule = OneCycleSchedule(maximum: configuration.learningRate, totalSteps: stepsPerEpoch * configuration.epochs)
        var step = 0
        for epoch in 1...configuration.epochs {
            let start = Date()
            model.train()
            let order = Array(0..<training.count).shuffled(using: &generator)
            var lossSum = 0.0
            for b in 0..<stepsPerEpoch {
                let indices = order[(b * configuration.batchSize)..<Swift.min((b + 1) * configuration.batchSize, training.count)]
                var (images, labels) = training.batch(indices)
                images = randomlyShifted(images, maximum: configuration.maximumShift, using: &generator)
                if configuration.horizontalFlips { images = randomlyFlipped(images, using: &generator) }
                optimizer.learningRate = schedule.rate(atStep: step)
                optimizer.zeroGrad()
                let batchLoss = try loss(images, labels)
                let value = try batchLoss.item()
                guard value.isFinite else {
                    throw ModelZooError.training("the training loss became \(value) at epoch \(epoch), step \(b + 1) of \(stepsPerEpoch) (learning rate \(optimizer.learningRate): too large?)")
                }
                try batchLoss.backward()
                try optimizer.step()
                lossSum += Double(value) * Double(labels.count)
                step += 1
                progress(step, stepsPerEpoch * configuration.epochs)
            }
            try epochEnd(epoch, lossSum / Double(training.count), start)
        }
        model.eval()
    }
}

/// What one epoch of an autoencoder's training achieved: mean squared error per pixel.
public struct ReconstructionReport: Sendable, CustomStringConvertible {
    public let epoch: Int
    public let trainingLoss: Double, testLoss: Double
    public let seconds: Double
    public init(epoch: Int, trainingLoss: Double, testLoss: Double, seconds: Double) {
        (self.epoch, self.trainingLoss, self.testLoss, self.seconds) = (epoch, trainingLoss, testLoss, seconds)
    }
    public var description: String {
        String(format: "epoch %2d  train MSE %.5f  test MSE %.5f  %.1f s", epoch, trainingLoss, testLoss, seconds)
    }
}

extension Trainer {
    /// Trains an autoencoder to reproduce its input: loss = mean over pixels of (model(x) − x)²
    /// (`F.mse_loss`, reduction "mean"), Adam with the one-cycle schedule, shuffled batches from
    /// the seed; the labels are not used. Evaluates the test set's MSE after each epoch.
    public static func trainReconstruction(
        _ model: Module, on training: LabeledImages, testingOn test: LabeledImages,
        configuration: TrainingConfiguration,
        progress: (Int, Int) -> Void = { _, _ in }, epochDone: (ReconstructionReport) -> Void = { _ in }
    ) throws -> [ReconstructionReport] {
        var reports: [ReconstructionReport] = []
        try optimise(model, on: training, configuration: configuration, progress: progress, loss: { images, _ in
            try meanSquaredError(try model(images), images)
        }, epochEnd: { epoch, meanLoss, start in
            let report = ReconstructionReport(epoch: epoch, trainingLoss: meanLoss, testLoss: try Evaluation.reconstructionError(of: model, on: test),
                                              seconds: Date().timeIntervalSince(start))
            reports.append(report)
            epochDone(report)
        })
        return reports
    }

    /// mean((output − target)²) over every value, as a graph node (the target gets no gradient).
    public static func meanSquaredError(_ output: Tensor, _ target: Tensor) throws -> Tensor {
        try output.meanSquaredError(target: target.detached())
    }
}

/// Inference over a data set, in evaluation mode and without a graph.
public enum Evaluation {
    /// The logits for every image, `[count, classes]` row-major, computed in batches.
    public static func logits(of model: Module, on data: LabeledImages, batchSize: Int = 256) throws -> (values: [Float], classes: Int) {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var values: [Float] = []
        var classes = 0
        try withNoGrad {
            var start = 0
            while start < data.count {
                let end = Swift.min(start + batchSize, data.count)
                let out = try model(data.batch(start..<end).images)
                classes = out.shape.last ?? 0
                values.append(contentsOf: out.data)
                start = end
            }
        }
        return (values, classes)
    }

    /// The predicted class of every image.
    public static func predictions(of model: Module, on data: LabeledImages) throws -> [Int] {
        let (values, classes) = try logits(of: model, on: data)
        return (try? Tensor(shape: [data.count, classes], data: values))?.argmax() ?? []
    }

    /// An autoencoder's mean squared error per pixel over the whole set, summed image by image in
    /// Double, in batches.
    public static func reconstructionError(of model: Module, on data: LabeledImages, batchSize: Int = 256) throws -> Double {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var total = 0.0, count = 0
        try withNoGrad {
            var start = 0
            while start < data.count {
                let end = Swift.min(start + batchSize, data.count)
                let images = data.batch(start..<end).images
                let out = try model(images)
                guard out.shape == images.shape else {
                    throw TensorError.shapeMismatch(operation: "reconstruction", lhs: out.shape, rhs: images.shape, detail: "an autoencoder's output has its input's shape")
                }
                for (a, b) in zip(out.data, images.data) { let d = Double(a) - Double(b); total += d * d }
                count += images.data.count
                start = end
            }
        }
        return total / Double(Swift.max(count, 1))
    }

    /// The fraction of images classified correctly.
    public static func accuracy(of model: Module, on data: LabeledImages) throws -> Double {
        let predicted = try predictions(of: model, on: data)
        return Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(Swift.max(data.count, 1))
    }
}
