import Foundation
import Imaging
import ModelZoo
import TensorEngine

/// `workbook train`: trains a catalogued model from its seed and writes its model file.
enum TrainCommand: Command {
    static let name = "train"
    static let summary = "Train a reference model (\((Catalog.names + Catalog.autoencoders).joined(separator: ", ")); \(Catalog.userDataModels.joined(separator: ", ")) with --data DIR) and write its .safetensors."
    static let options = [
        OptionSpecification(name: "model", valueName: "NAME", help: "the model to train", required: true),
        OptionSpecification(name: "epochs", valueName: "N", help: "epochs (default: the model's recipe, 12–20)", integers: 1...1000),
        OptionSpecification(name: "batch-size", valueName: "N", help: "images per step (default 128)", integers: 1...65_536),
        OptionSpecification(name: "lr", valueName: "RATE", help: "peak learning rate of the one-cycle schedule (default: the recipe's, 0.004 or 0.008)", numbers: 1e-7...1),
        OptionSpecification(name: "shift", valueName: "PIXELS", help: "random-shift augmentation (default: the recipe's, 2 or 0 = off)", integers: 0...13),
        OptionSpecification(name: "flip", valueName: "yes|no", help: "random left–right mirroring (default: the recipe's, yes for fashion-gap)"),
        OptionSpecification(name: "seed", valueName: "N", help: "random seed for weights, shuffling and augmentation (default 2024)"),
        OptionSpecification(name: "limit", valueName: "N", help: "train on the first N images only (smoke tests)", integers: 1...Int.max),
        OptionSpecification(name: "out", valueName: "FILE", help: "where to write the model (default Datasets/models/NAME.safetensors)"),
        OptionSpecification(name: "right-reasons", valueName: "LAMBDA", help: "Decoy MNIST models: penalise the input gradient on each image's swatch with weight LAMBDA (Ross et al. 2017; lesson 10); needs --out", numbers: 0...1e9),
        dataOption,
    ]

    static func run(_ options: ParsedOptions) throws {
        let name = try options.requiredString("model")
        let architecture = try Catalog.architecture(named: name)
        if !architecture.isClassifier { return try trainAutoencoder(name, architecture: architecture, options) }
        let (configuration, datasetName, training, test, out) = try setUp(name, architecture: architecture, options)
        let rightReasons = try options.float("right-reasons")
        if rightReasons != nil {
            guard datasetName == "decoy-mnist" else { throw CommandLineError(message: "--right-reasons needs a Decoy MNIST model (its swatches are the regions); \(name) trains on \(datasetName)") }
            guard options.string("out") != nil else { throw CommandLineError(message: "--right-reasons needs --out: the shipped \(name) is not replaced") }
        }

        print("training \(name) on \(training.count) \(datasetName) images: \(configuration.epochs) epochs, batch \(configuration.batchSize), Adam with one-cycle peak lr \(configuration.learningRate), shifts ±\(configuration.maximumShift)\(configuration.horizontalFlips ? ", left–right flips" : ""), seed \(configuration.seed), \(Parallel.maximumThreads) threads")
        let model = try architecture.makeModel(seed: configuration.seed)
        var lastBar: ProgressBar? = nil
        let progress: (Int, Int) -> Void = { step, total in
            if lastBar == nil { lastBar = ProgressBar(total: total, label: "train", unit: "steps") }
            lastBar?.update(step)
        }
        let reports: [EpochReport]
        if let weight = rightReasons {
            let corners = try DatasetFiles.decoyMNIST(.training).corners.prefix(training.count)
            print("right for the right reasons: λ = \(weight) on each image's 4×4 swatch")
            reports = try trainRightForTheRightReasons(model, on: training, regions: try decoyRegions(corners: Array(corners)), testingOn: test,
                                                        configuration: configuration, weight: weight, progress: progress,
                                                        epochDone: { printNow("\($0)" + String(format: "  penalty %.4g", $1)) })
        } else {
            reports = try Trainer.train(model, on: training, testingOn: test, configuration: configuration, progress: progress,
                                        epochDone: { printNow("\($0)") })
        }
        let last = reports.last!
        let recipe: [String: String] = [
            "epochs": "\(configuration.epochs)", "batch_size": "\(configuration.batchSize)",
            "optimizer": "Adam, OneCycleLR(max_lr=\(configuration.learningRate), pct_start=0.3, cos)",
            "augmentation": "random shifts of up to \(configuration.maximumShift) px" + (configuration.horizontalFlips ? ", random left-right flips" : ""), "seed": "\(configuration.seed)",
            "test_accuracy": String(format: "%.4f", last.testAccuracy),
            "trained_by": "workbook train (this project's engine)",
        ].merging(rightReasons.map { ["right_for_the_right_reasons": "input-gradient penalty on the decoy swatch, lambda \($0)"] } ?? [:]) { a, _ in a }
        try write(model, architecture: architecture, recipe: recipe, datasetName: datasetName,
                  curve: ModelFigures.trainingCurve(reports, title: "\(name): accuracy per epoch"),
                  log: reports.map(\.description), to: out)
        print("wrote \(out.path)" + String(format: " (test accuracy %.2f%%, %.0f s per epoch)", 100 * last.testAccuracy,
                     reports.map(\.seconds).reduce(0, +) / Double(reports.count)))
    }
}

extension TrainCommand {
    /// What both kinds of model read from the command line: the model's recipe with the options
    /// that override it, its data set (the name goes into the file, so explain, evaluate and predict
    /// find its data), both splits (`--limit` shortens the training one) and the output file.
    static func setUp(_ name: String, architecture: ModelArchitecture, _ options: ParsedOptions) throws
        -> (configuration: TrainingConfiguration, datasetName: String, training: LabeledImages, test: LabeledImages, out: URL) {
        var configuration = TrainingConfiguration.recipe(for: name)
        configuration.epochs = try options.int("epochs", default: configuration.epochs)!
        configuration.batchSize = try options.int("batch-size", default: configuration.batchSize)!
        configuration.learningRate = try options.float("lr", default: configuration.learningRate)!
        configuration.maximumShift = try options.int("shift", default: configuration.maximumShift)!
        if let flip = options.string("flip") {
            guard flip == "yes" || flip == "no" else { throw CommandLineError(message: "--flip takes yes or no, got '\(flip)'") }
            configuration.horizontalFlips = flip == "yes"
        }
        configuration.seed = UInt64(try options.int("seed", default: Int(configuration.seed))!)
        let datasetName = Catalog.datasetName(of: architecture)
        var training = try ModelFile.dataset(named: datasetName, split: .training, dataFolder: options.dataFolder, model: name)
        if let limit = try options.int("limit") { training = training.prefix(limit) }
        let test = try ModelFile.dataset(named: datasetName, split: .test, dataFolder: options.dataFolder, model: name)
        let out = try options.string("out").map { URL(fileURLWithPath: $0) } ?? ModelFile.shippedURL(name)
        return (configuration, datasetName, training, test, out)
    }

    /// The model file (its recipe and data set in the metadata), its training curve and its log, all
    /// three or none. (The model is staged beside the output, not in /tmp: a run killed there leaves
    /// a temporary file the next write into that folder recognises as ours and removes; it is saved
    /// under the signal lock, like every write of a registered temporary file, so a SIGTERM's
    /// clean-up never runs while it is half written.)
    static func write(_ model: Module, architecture: ModelArchitecture, recipe: [String: String], datasetName: String,
                      curve: RGBAImage, log: [String], to out: URL) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: recipe, options: [.sortedKeys]), as: UTF8.self)
        let staging = AtomicFiles.temporaryURL(for: out)
        defer { Platform.removeTemporary(staging.path) }
        try Platform.withTerminationSignalsHeld {
            try ModelFile.save(model, architecture: architecture, metadata: ["training": json, "dataset": datasetName], to: staging)
        }
        try AtomicFiles.write([
            (out, try Data(contentsOf: staging)),
            (out.deletingPathExtension().appendingPathExtension("training.png"), Data(PNG.encode(curve))),
            (out.deletingPathExtension().appendingPathExtension("training.txt"), Data((log.joined(separator: "\n") + "\n").utf8)),
        ])
    }

    /// An autoencoder (lesson 11): trained to reproduce MNIST digits, the loss its mean squared
    /// error per pixel; written with its curve and log like a classifier.
    static func trainAutoencoder(_ name: String, architecture: ModelArchitecture, _ options: ParsedOptions) throws {
        for refused in ["right-reasons", "flip", "shift"] where options.string(refused) != nil {
            throw CommandLineError(message: "--\(refused) is not for \(name), an autoencoder (its target is its input)")
        }
        let (configuration, datasetName, training, test, out) = try setUp(name, architecture: architecture, options)
        print("training \(name) on \(training.count) \(datasetName) images to reproduce them (mean squared error): \(configuration.epochs) epochs, batch \(configuration.batchSize), Adam with one-cycle peak lr \(configuration.learningRate), seed \(configuration.seed), \(Parallel.maximumThreads) threads")
        let model = try architecture.makeModel(seed: configuration.seed)
        var bar: ProgressBar? = nil
        let reports = try Trainer.trainReconstruction(model, on: training, testingOn: test, configuration: configuration, progress: { step, total in
            if bar == nil { bar = ProgressBar(total: total, label: "train", unit: "steps") }
            bar?.update(step)
        }, epochDone: { printNow("\($0)") })
        let last = reports.last!
        let recipe: [String: String] = [
            "epochs": "\(configuration.epochs)", "batch_size": "\(configuration.batchSize)",
            "optimizer": "Adam, OneCycleLR(max_lr=\(configuration.learningRate), pct_start=0.3, cos)",
            "loss": "F.mse_loss(model(x), x), mean over pixels", "seed": "\(configuration.seed)",
            "test_mse": String(format: "%.5f", last.testLoss), "trained_by": "workbook train (this project's engine)",
        ]
        try write(model, architecture: architecture, recipe: recipe, datasetName: datasetName,
                  curve: ModelFigures.reconstructionCurve(reports, title: "\(name): mean squared error per epoch"),
                  log: reports.map(\.description), to: out)
        print("wrote \(out.path)" + String(format: " (test MSE %.5f per pixel, %.0f s per epoch)", last.testLoss,
                     reports.map(\.seconds).reduce(0, +) / Double(reports.count)))
    }
}
