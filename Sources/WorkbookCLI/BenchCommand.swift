// The instructors' edition only: this command needs Solutions/ (see Package.swift's FULL_EDITION).
#if FULL_EDITION
import LargeScaleEmbedding
import FeatureVisualizationSolutions
import AdversarialSolutions
import AutoencodersSolutions
import EmbeddingsSolutions
import EvaluationSolutions
import Foundation
import GradCAMSolutions
import LessonSupport
import GuidedBackpropSolutions
import ModelZoo
import OcclusionSolutions
import SaliencySolutions
import TensorEngine

/// `workbook bench`: the engine's speed, measured the same way every time.
///
/// Each row runs a warm-up, then `runs` timed repetitions, and reports the median with the
/// fastest and slowest run (the machines are noisy: compare medians from one sitting).
enum BenchCommand: Command {
    static let name = "bench"
    static let summary = "Measure GEMM GFLOP/s, conv2d forward+backward, a training step and inference throughput (use -c release)."
    static let options = [
        OptionSpecification(name: "quick", valueName: nil, help: "fewer repetitions (under a minute)"),
        OptionSpecification(name: "runs", valueName: "N", help: "timed repetitions per row (default 9, quick 3)", integers: 1...1000),
        OptionSpecification(name: "json", valueName: "FILE", help: "also write the results as JSON"),
        OptionSpecification(name: "only", valueName: "TEXT", help: "only the rows whose name contains TEXT (e.g. for profiling)"),
    ]

    struct Row: Codable {
        let name: String, unit: String
        let median: Double, fastest: Double, slowest: Double
        /// A derived figure (GFLOP/s, images/s) from the median, if meaningful.
        let rate: Double?, rateUnit: String?
    }

    struct BenchReport: Codable {
        let threads: Int, runs: Int
        let rows: [Row]
    }

    static func time(runs: Int, warmUp: Bool = true, _ body: () throws -> Void) rethrows -> [Double] {
        if warmUp { try body() }
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()
    }

    static func row(_ name: String, _ times: [Double], scale: Double = 1e3, unit: String = "ms",
                    rate: ((Double) -> Double)? = nil, rateUnit: String? = nil) -> Row {
        let median = times[times.count / 2]
        return Row(name: name, unit: unit, median: median * scale, fastest: times.first! * scale, slowest: times.last! * scale,
                   rate: rate.map { $0(median) }, rateUnit: rateUnit)
    }

    static func run(_ options: ParsedOptions) throws {
        let quick = options.has("quick")
        let runs = try options.int("runs", default: quick ? 3 : 9)!
        guard runs > 0 else { throw CommandLineError(message: "--runs must be positive") }
        #if DEBUG
        printError("note: this is a debug build; measure with `swift run -c release workbook bench`")
        #endif
        var rows: [Row] = []
        var g = SeededGenerator(seed: 1)
        let cpuAtStart = CPUTimes.read()
        let only = options.string("only")?.lowercased()
        func wanted(_ name: String) -> Bool { only.map { name.lowercased().contains($0) } ?? true }

        // GEMM 512³.
        let n = 512
        let a = Tensor.randomUniform([n, n], using: &g).data, b = Tensor.randomUniform([n, n], using: &g).data
        let flops = 2 * Double(n * n * n)
        if wanted("GEMM 512x512x512") {
            rows.append(row("GEMM 512x512x512", time(runs: runs * 2) { _ = GEMM.product(a, b, m: n, n: n, k: n) },
                            rate: { flops / $0 / 1e9 }, rateUnit: "GFLOP/s"))
        }

        // The GEMMs one group of images of a mnist-gap training step runs, on one thread (only with
        // `--only "GEMM shape"`: for tuning the kernel, not part of the table).
        if let only, only.contains("gemm shape") {
            let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
                ("conv1 forward", 16, 840, 9, false, false), ("conv1 dW", 16, 9, 784, false, true),
                ("conv2 forward", 32, 1176, 144, false, false), ("conv3 forward", 64, 392, 288, false, false),
                ("conv2 dX", 144, 1176, 32, true, false), ("conv3 dX", 288, 392, 64, true, false),
                ("conv2 dWt", 144, 32, 1176, false, true), ("conv3 dWt", 288, 64, 392, false, true),
            ]
            // And, on every core, those of one 224×224 image through VGG-16's 3×3 convolutions
            // (`--only "GEMM shape 224"`): forward (and ∂x) and ∂Wᵀ at 56×56×256 and 224×224×64,
            // read in place at the padded row pitch (`ShiftedRows`); at 14×14×512 by im2col.
            let photo: [(String, Int, Int, Int, Bool, Bool)] = [
                ("224 conv3 forward", 256, 3248, 2304, false, false), ("224 conv1 forward", 64, 50398, 576, false, false),
                ("224 conv3 dWt", 2304, 256, 3248, false, true), ("224 conv1 dWt", 576, 64, 50398, false, true),
                ("224 conv5 forward", 512, 196, 4608, false, false), ("224 conv5 dWt", 4608, 512, 196, false, true),
                // ResNet-50's layer3 and layer4 (14×14 and 7×7 maps: narrow products).
                ("224 layer3 1x1 in", 256, 196, 1024, false, false), ("224 layer3 3x3", 256, 196, 2304, false, false),
                ("224 layer3 1x1 out", 1024, 196, 256, false, false), ("224 layer4 1x1 in", 512, 49, 2048, false, false),
                ("224 layer4 3x3", 512, 49, 4608, false, false), ("224 layer4 1x1 out", 2048, 49, 512, false, false),
            ]
            let parallel = only.contains("224")
            // (`--only "GEMM shape conv1 dW"` times that one product alone, for `perf`.)
            for (label, m, n, k, ta, tb) in parallel ? photo : shapes where !only.contains("conv") || only.contains(label.lowercased()) {
                let a = Tensor.randomUniform([m * k], using: &g).data, b = Tensor.randomUniform([k * n], using: &g).data
                var c = [Float](repeating: 0, count: m * n)
                let times = time(runs: runs * 20) {
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: ta ? m : k, transposeA: ta,
                                      b: bp.baseAddress!, ldb: tb ? k : n, transposeB: tb, c: cp.baseAddress!, ldc: n,
                                      accumulate: false, parallel: parallel)
                    } } }
                }
                let flops = 2 * Double(m * n * k)
                rows.append(row("GEMM shape \(label) \(m)x\(n)x\(k)", times, rate: { flops / $0 / 1e9 }, rateUnit: "GFLOP/s"))
            }
        }

        // Each conv stage of a mnist-gap training step alone, forward and backward, batch 64 (only
        // with `--only "stages mnist-gap"`, or `"stages mnist-gap conv1"` for one: for tuning, not
        // part of the table; with `WORKBOOK_THREADS=1`, the time one core spends on it).
        if let only, only.contains("stages mnist-gap") {
            var sg = SeededGenerator(seed: 7)
            let stages: [(String, Module, [Int])] = [
                ("conv1+relu+pool 1→16 28x28", Sequential([Conv2d(1, 16, kernelSize: 3, padding: 1, generator: &sg), ReLU(), MaxPool2d(2)]), [64, 1, 28, 28]),
                ("conv2+relu+pool 16→32 14x14", Sequential([Conv2d(16, 32, kernelSize: 3, padding: 1, generator: &sg), ReLU(), MaxPool2d(2)]), [64, 16, 14, 14]),
                ("conv3+relu 32→64 7x7", Sequential([Conv2d(32, 64, kernelSize: 3, padding: 1, generator: &sg), ReLU()]), [64, 32, 7, 7]),
            ]
            for (label, stage, shape) in stages where !only.contains("conv") || only.contains(label.prefix(5)) {
                let x = Tensor.randomUniform(shape, low: -1, high: 1, using: &sg)
                x.requiresGrad = !label.hasPrefix("conv1")   // conv1's input is the data
                rows.append(row("stages mnist-gap \(label) forward", try time(runs: runs * 10) { _ = try stage(x) }))
                rows.append(row("stages mnist-gap \(label) forward+backward", try time(runs: runs * 10) {
                    stage.zeroGrad(); try stage(x).sum().backward()
                }))
            }
        }

        // VGG-16's 3×3 convolutions of one 224×224 image, forward and ∂x (only with `--only
        // "convolutions 224"`: for tuning, not part of the table). The rate counts the direct
        // definition's 2·9·C·O·H·W flops, whatever the algorithm (Winograd's F(2×2, 3×3) from 28×28
        // up does 2.25× fewer).
        if let only, only.contains("convolutions 224") {
            for (channels, out, side) in [(64, 64, 224), (128, 128, 112), (256, 256, 56), (512, 512, 28), (512, 512, 14)] {
                let label = "convolutions 224: \(channels)→\(out) at \(side)×\(side)"
                let x = Tensor.randomUniform([1, channels, side, side], using: &g)
                let weight = Tensor.randomUniform([out, channels, 3, 3], low: -0.05, high: 0.05, using: &g)
                let flops = 2 * 9 * Double(channels * out * side * side)
                if wanted(label + " forward") {
                    rows.append(row(label + " forward", try time(runs: runs * 4) { _ = try withNoGrad { try x.conv2d(weight: weight, bias: nil, padding: (1, 1)) } },
                                    rate: { flops / $0 / 1e9 }, rateUnit: "GFLOP/s"))
                }
                if wanted(label + " ∂x") {
                    x.requiresGrad = true
                    let y = try x.conv2d(weight: weight, bias: nil, padding: (1, 1))
                    let seed = Tensor(repeating: 1, shape: y.shape)
                    rows.append(row(label + " ∂x", try time(runs: runs * 4) { try y.backward(seed: seed, retainGraph: true, inputs: [x]); x.zeroGrad() },
                                    rate: { flops / $0 / 1e9 }, rateUnit: "GFLOP/s"))
                }
            }
        }

        // The ops of a mnist-gap training step one by one (only with `--only "ops of a step"`: for
        // tuning, not part of the table): pooling and ReLU of pool1's input, and each conv → relu.
        if let only, only.contains("ops of a step") {
            let input = Tensor.randomUniform([64, 16, 28, 28], using: &g)
            let names = ["ops of a step: maxPool2d 2x2 of 64x16x28x28", "ops of a step: relu of 64x16x28x28"]
            if wanted(names[0]) { rows.append(row(names[0], try time(runs: runs * 20) { _ = try withNoGrad { try input.maxPool2d(kernel: (2, 2)) } })) }
            if wanted(names[1]) { rows.append(row(names[1], time(runs: runs * 20) { _ = withNoGrad { input.relu() } })) }
            // conv → relu of each stage, as in the step: conv1 to ∂W and ∂b only, conv2 and conv3 to ∂x too.
            var generator = SeededGenerator(seed: 3)
            for (label, inChannels, outChannels, side) in [("conv1", 1, 16, 28), ("conv2", 16, 32, 14), ("conv3", 32, 64, 7)] {
                let names = ["ops of a step: \(label)+relu forward, 64x\(inChannels)x\(side)x\(side)", "ops of a step: \(label)+relu backward"]
                guard names.contains(where: wanted) else { continue }
                let conv = Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, generator: &generator)
                let input = Tensor.randomUniform([64, inChannels, side, side], using: &g)
                input.requiresGrad = label != "conv1"
                if wanted(names[0]) {
                    rows.append(row(names[0], try time(runs: runs * 20) { _ = try InferenceFusion.convolution(conv, normalization: nil, relu: ReLU(), input) }))
                }
                if wanted(names[1]) {
                    let y = try InferenceFusion.convolution(conv, normalization: nil, relu: ReLU(), input)
                    let seed = Tensor(repeating: 1, shape: y.shape)
                    rows.append(row(names[1], try time(runs: runs * 20) {
                        try y.backward(seed: seed, retainGraph: true)
                        conv.zeroGrad(); input.zeroGrad()
                    }))
                }
            }
        }

        // conv2d forward + backward, batch 64, the three convolutions of mnist-gap.
        let architecture = try Catalog.architecture(named: "mnist-gap")
        let model = try architecture.makeModel(seed: 1)
        let convs = try ["conv1", "conv2", "conv3"].map { try model.module(named: $0) as! Conv2d }
        let batch = Tensor.randomUniform([64, 1, 28, 28], using: &g)
        if wanted("conv2d fwd+bwd, 3 convs, batch 64") { rows.append(row("conv2d fwd+bwd, 3 convs, batch 64", try time(runs: runs) {
            var x = batch
            for (i, conv) in convs.enumerated() {
                x = try conv(x).relu()
                if i < 2 { x = try x.maxPool2d(kernel: (2, 2)) }
            }
            try x.sum().backward()
            model.zeroGrad()
        })) }

        // One training step of mnist-gap: forward, cross-entropy, backward, Adam.
        let labels = (0..<64).map { $0 % 10 }
        let optimizer = Adam(parameters: model.parameters())
        model.train()
        if wanted("training step mnist-gap, batch 64, Adam") {
            let step = try time(runs: runs) {
                optimizer.zeroGrad()
                try model(batch).crossEntropy(labels: labels).backward()
                try optimizer.step()
            }
            rows.append(row("training step mnist-gap, batch 64, Adam", step, rate: { 60_000 / 64 * $0 }, rateUnit: "s/epoch (est.)"))
        }

        // One training step of lesson 11's autoencoder: encoder, decoder (two transposed
        // convolutions), mean squared error against the input, backward, Adam.
        if wanted("training step mnist-autoencoder, batch 128, Adam") {
            let autoencoder = try Catalog.architecture(named: "mnist-autoencoder").makeModel(seed: 1)
            autoencoder.train()
            let adam = Adam(parameters: autoencoder.parameters())
            let digits = Tensor.randomUniform([128, 1, 28, 28], using: &g)
            let step = try time(runs: runs) {
                adam.zeroGrad()
                try Trainer.meanSquaredError(try autoencoder(digits), digits).backward()
                try adam.step()
            }
            rows.append(row("training step mnist-autoencoder, batch 128, Adam", step, rate: { 60_000 / 128 * $0 }, rateUnit: "s/epoch (est.)"))
        }

        // One step of lesson 11's linear autoencoder (exercise 11.2, the reference's loss): 2,000
        // digits of 784 pixels, k = 10, full batch, Adam — the figure's 600 steps are 600 of these.
        if wanted("training step linear autoencoder 2000 x 784, k 10, Adam") {
            let data = Tensor.randomUniform([2000, 784], using: &g)
            let encoder = Tensor.randomNormal([10, 784], std: 0.01, using: &g), decoder = Tensor.randomNormal([784, 10], std: 0.01, using: &g)
            encoder.requiresGrad = true
            decoder.requiresGrad = true
            let adam = Adam(parameters: [encoder, decoder], learningRate: 0.01)
            let step = try time(runs: runs) {
                adam.zeroGrad()
                try AutoencodersSolutions.reconstructionError(of: data, encoder: encoder, decoder: decoder).backward()
                try adam.step()
            }
            rows.append(row("training step linear autoencoder 2000 x 784, k 10, Adam", step))
        }

        // Inference, batch 256.
        model.eval()
        let big = Tensor.randomUniform([256, 1, 28, 28], using: &g)
        if wanted("inference mnist-gap, batch 256") {
            rows.append(row("inference mnist-gap, batch 256", try time(runs: runs) { _ = try withNoGrad { try model(big) } },
                            rate: { 256 / $0 }, rateUnit: "images/s"))
        }
        // The same without fusing each convolution with the ReLU after it (InferenceFusion's twin).
        if wanted("inference mnist-gap, batch 256, unfused") {
            rows.append(row("inference mnist-gap, batch 256, unfused", try time(runs: runs) {
                _ = try withNoGrad { try InferenceFusion.$isEnabled.withValue(false) { try model(big) } }
            }, rate: { 256 / $0 }, rateUnit: "images/s"))
        }

        // Explanation methods on mnist-gap: one image, and 100 images one at a time.
        for method in BenchMethods.all where wanted(method.name) {
            let one = try Tensor(shape: [1, 1, 28, 28], data: Array(big.data[0..<784]))
            rows.append(row("\(method.name), one image", try time(runs: runs * 3) { _ = try method.run(model, one, 3) }))
            if !quick {
                let images = try (0..<100).map { try big.sliced(axis: 0, ($0 % 256)..<($0 % 256 + 1)) }
                rows.append(row("\(method.name), 100 images", try time(runs: 3) { for x in images { _ = try method.run(model, x, 3) } },
                                scale: 1, unit: "s"))
            }
        }

        // Lesson 08: optimising the input (the same loop in PyTorch: Datasets/models/pytorch_visualize_bench.py).
        if wanted("class image, 200 regularised steps") {
            rows.append(row("class image, 200 regularised steps", try time(runs: runs) {
                _ = try classImages(of: model, targets: [3], settings: .regularised)
            }))
        }
        if wanted("ten class images together, 200 regularised steps") {
            rows.append(row("ten class images together, 200 regularised steps", try time(runs: runs) {
                _ = try classImages(of: model, targets: Array(0..<10), settings: .regularised)
            }))
        }
        if wanted("DeepDream relu2, 3 octaves x 15 steps") {
            let one = try Tensor(shape: [1, 1, 28, 28], data: Array(big.data[0..<784]))
            rows.append(row("DeepDream relu2, 3 octaves x 15 steps", try time(runs: runs) {
                _ = try deepDream(of: model, image: one, layer: "relu2", settings: FeatureVisualizationFigures.dreamSettings, seed: 0)
            }))
        }

        // Lesson 10: ROAD as `workbook rank` computes it (ROADCombined: 9 percentiles × MoRF/LeRF, 18
        // imputations and forward passes per image) on the first 100 MNIST test digits with seeded
        // uniform maps; pytorch-grad-cam does the same in Datasets/models/gradcam_road_bench.py.
        let roadRow = "ROAD combined, 100 digits, 9 percentiles x MoRF/LeRF"
        if wanted(roadRow), !quick || only != nil {
            let test = try DatasetFiles.mnist(.test)
            let images = test.batch(0..<100).images
            let trained = try ModelFile.load(ModelFile.resolve("mnist-gap")).model
            let maps = Tensor.randomUniform([100, 1, 28, 28], using: &g)
            rows.append(row(roadRow, try time(runs: min(runs, 3)) {
                _ = try roadCombined(of: trained, images: images, attributions: maps, targets: Array(test.labels[0..<100]), seed: 0)
            }, scale: 1, unit: "s"))
        }

        // Lesson 09 at full scale: the 10,000 MNIST test images (pixels, and the shipped mnist-gap's
        // gap features), as `workbook embed` runs them; scikit-learn and openTSNE do the same work
        // in Datasets/models/sklearn_embedding_bench.py. A t-SNE takes tens of seconds: timed
        // `min(runs, 3)` times, skipped with --quick unless asked for with --only.
        let embeddingRows = ["PCA 10000x784 pixels, 2 components", "t-SNE Barnes-Hut 10000 gap features", "t-SNE Barnes-Hut 10000 pixels",
                             "UMAP 10000 gap features", "UMAP 10000 pixels"]
        if embeddingRows.contains(where: wanted), !quick || only != nil {
            let test = try DatasetFiles.mnist(.test)
            let images = test.batch(0..<test.count).images
            let pixels = try Matrix(images.reshaped([test.count, 784]))
            if wanted(embeddingRows[0]) {
                rows.append(row(embeddingRows[0], try time(runs: runs) { _ = try fastPCA(pixels, components: 2) }))
            }
            let trained = try ModelFile.load(ModelFile.resolve("mnist-gap")).model
            let gap = try Matrix(features(of: trained, at: "gap", for: images, batchSize: 256))
            for (name, data) in [(embeddingRows[1], gap), (embeddingRows[2], pixels)] where wanted(name) {
                var embedding = Matrix(zeros: 0, 2)
                let times = try time(runs: min(runs, 3), warmUp: false) { embedding = try barnesHutTSNE(data, settings: TSNESettings()).embedding }
                let trust = try largeScaleTrustworthiness(high: data, low: embedding, neighbours: 5)
                rows.append(row(name, times, scale: 1, unit: "s", rate: { _ in trust }, rateUnit: "T(5) (not timed)"))
            }
            for (name, data) in [(embeddingRows[3], gap), (embeddingRows[4], pixels)] where wanted(name) {
                var embedding = Matrix(zeros: 0, 2)
                let times = try time(runs: min(runs, 3), warmUp: false) { embedding = try umap(data, principalComponents: { try fastPCA($0, components: 2).projection }) }
                let trust = try largeScaleTrustworthiness(high: data, low: embedding, neighbours: 5)
                rows.append(row(name, times, scale: 1, unit: "s", rate: { _ in trust }, rateUnit: "T(5) (not timed)"))
            }
        }

        // ImageNet networks at 224×224 (torchvision's ResNet-50 and VGG-16, seeded random weights):
        // one image through each method `explain` runs, as `Datasets/models/pytorch_imagenet_bench.py`
        // times torchvision, captum and pytorch-grad-cam. Minutes of work: only with --only 224.
        if let only, "224".contains(only) || only.contains("224") {
            for (name, layer) in [("resnet50", "layer4"), ("vgg16", "features.29")] {
                let rowNames = ["forward", "saliency", "Grad-CAM \(layer)", "Integrated Gradients 32 steps", "occlusion 16x16 stride 8",
                                "Integrated Gradients 32 steps in one pass", "forward unfused"]
                    .map { "224 \(name) \($0)" }
                guard rowNames.contains(where: wanted) else { continue }
                let architecture = try Torchvision.architecture(named: name, classNames: (0..<1000).map { "\($0)" })
                let model = try architecture.makeModel(seed: 1)
                model.eval()
                let photo = Tensor.randomUniform([1, 3, 224, 224], using: &g)
                let heavy = min(runs, 3)
                if wanted(rowNames[0]) { rows.append(row(rowNames[0], try time(runs: runs) { _ = try withNoGrad { try model(photo) } })) }
                if wanted(rowNames[6]) {
                    rows.append(row(rowNames[6], try time(runs: runs) {
                        _ = try withNoGrad { try InferenceFusion.$isEnabled.withValue(false) { try model(photo) } }
                    }))
                }
                if wanted(rowNames[1]) { rows.append(row(rowNames[1], try time(runs: runs) { _ = try saliency(of: model, images: photo, targets: [3]) })) }
                if wanted(rowNames[2]) {
                    rows.append(row(rowNames[2], try time(runs: runs) {
                        _ = try upsampledAndNormalized(try gradCAM(of: model, images: photo, targets: [3], layer: layer), height: 224, width: 224)
                    }))
                }
                if wanted(rowNames[3]) {
                    rows.append(row(rowNames[3], try time(runs: heavy) {
                        _ = try integratedGradients(of: model, images: photo, targets: [3], steps: 32).attributions
                    }, scale: 1, unit: "s"))
                }
                // The same with every step in one pass (no memory budget), for what the passes cost:
                // only when asked by name (--only "one pass"), so that the peak memory printed below
                // is the budgeted run's otherwise.
                if wanted(rowNames[5]) && only.contains("one pass") {
                    try MemoryBudget.$activationBytes.withValue(Int.max / 4) {
                        rows.append(row(rowNames[5], try time(runs: heavy) {
                            _ = try integratedGradients(of: model, images: photo, targets: [3], steps: 32).attributions
                        }, scale: 1, unit: "s"))
                    }
                }
                if wanted(rowNames[4]) {
                    rows.append(row(rowNames[4], try time(runs: 1, warmUp: false) {
                        _ = try occlusion(of: model, images: photo, targets: [3], window: 16, stride: 8, batchSize: 27)
                    }, scale: 1, unit: "s"))
                }
            }
            var usage = rusage()
            #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let peak = Double(usage.ru_maxrss) / 1_048_576          // KiB on Linux
            #else
            getrusage(RUSAGE_SELF, &usage)
            let peak = Double(usage.ru_maxrss) / 1_073_741_824      // bytes on macOS
            #endif
            print(String(format: "peak resident memory of this run: %.2f GB", peak))
        }

        print("workbook bench — \(Parallel.maximumThreads) threads, \(runs) runs per row, \(ProcessInfo.processInfo.operatingSystemVersionString)")
        if let start = cpuAtStart, let end = CPUTimes.read() {
            // On a shared virtual machine the host may take the cores away ("steal"): such runs are noisy.
            print(String(format: "CPU time stolen by the host during the run: %.1f%%%@", 100 * end.stealFraction(since: start),
                         end.stealFraction(since: start) > 0.02 ? " (noisy: prefer the fastest column, or rerun)" : ""))
        }
        print(padded("name", 44) + "   median    fastest    slowest   derived")
        for r in rows {
            var line = padded(r.name, 44)
            for value in [r.median, r.fastest, r.slowest] { line += String(format: " %8.2f ", value) + r.unit }
            if let rate = r.rate, let unit = r.rateUnit { line += String(format: rate < 10 ? "   %.4f " : "   %.1f ", rate) + unit }
            print(line)
        }
        if OpProfile.isEnabled {
            print("\nWORKBOOK_PROFILE=1: time per op over every row above\n" + OpProfile.report())
        }
        if let path = options.string("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFiles.write([(URL(fileURLWithPath: path), try encoder.encode(BenchReport(threads: Parallel.maximumThreads, runs: runs, rows: rows)))])
            print("wrote \(path)")
        }
    }
}

/// The per-image methods `bench` times, computed by the reference solutions.
enum BenchMethods {
    struct Method {
        let name: String
        let run: (Module, Tensor, Int) throws -> Tensor
    }

    static var all: [Method] {
        [
            Method(name: "vanilla saliency") { model, x, c in try saliency(of: model, images: x, targets: [c]) },
            Method(name: "Grad-CAM relu3 + upsample 28x28") { model, x, c in
                try upsampledAndNormalized(try gradCAM(of: model, images: x, targets: [c]), height: 28, width: 28)
            },
            Method(name: "guided backprop") { model, x, c in try guidedBackprop(of: model, images: x, targets: [c]) },
            Method(name: "FGSM") { model, x, c in try fgsm(of: model, images: x, labels: [c], epsilon: 0.1) },
            Method(name: "occlusion 4x4 stride 2 (169 windows, one pass)") { model, x, c in
                try occlusion(of: model, images: x, targets: [c], window: 4, stride: 2, batchSize: 169)
            },
            Method(name: "Integrated Gradients, 50 steps") { model, x, c in
                try integratedGradients(of: model, images: x, targets: [c], steps: 50).attributions
            },
        ]
    }
}

/// The machine-wide CPU time counters of Linux's `/proc/stat` (nil elsewhere).
struct CPUTimes {
    let total: Double, steal: Double

    static func read() -> CPUTimes? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return nil }
        return CPUTimes(total: fields.prefix(8).reduce(0, +), steal: fields[7])
    }

    func stealFraction(since start: CPUTimes) -> Double {
        let elapsed = total - start.total
        return elapsed > 0 ? (steal - start.steal) / elapsed : 0
    }
}
#endif
