import Codecs
import DataFormats
import Foundation
@testable import ModelZoo
import TensorEngine
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Fuzzing the model-file loader (issue 16, item 8): architecture JSON with negative or huge sizes,
/// class names that disagree with the last layer, bad input shapes, tensors whose shapes disagree
/// with the architecture, and byte-level damage (truncation, flipped bits, spliced bytes). Every
/// input must load or throw a `ModelZooError`: never trap, never allocate more than the
/// architecture budget, never exceed the per-input time budget. Inputs whose mutation makes the
/// file invalid (all but stride, padding, dropout and spatial input sizes) must throw.
/// Set WORKBOOK_FUZZ_LONG=1 for 1,000,000 inputs.
@Suite(.maintainers) struct ModelFileFuzzTests {
    /// A small model of every layer type, and two catalogued ones (with batch norm and dropout).
    static let architectures: [ModelArchitecture] = {
        let tiny = ModelArchitecture(name: "tiny", inputShape: [2, 9, 9], classNames: ["a", "b", "c"], layers: [
            .normalize("norm", mean: [0.5, 0.4], std: [0.2, 0.3]),
            .conv2d("conv1", 2, 3, kernelSize: 3, padding: 1), .batchNorm2d("bn1", 3), .relu("relu1"),
            .maxPool2d("pool1", kernelSize: 2), LayerSpecification(name: "tanh", type: "Tanh"),
            .conv2d("conv2", 3, 4, kernelSize: 2, stride: 2), LayerSpecification(name: "sig", type: "Sigmoid"),
            .flatten("flatten"), .dropout("drop", p: 0.25), .linear("fc1", 16, 5), .relu("relu2"), .linear("fc2", 5, 3),
        ])
        var pooled = tiny
        pooled.name = "tiny-gap"
        pooled.layers = Array(tiny.layers.prefix(7)) + [.globalAvgPool("gap"), .linear("fc", 4, 3)]
        return [tiny, pooled, Catalog.gap(name: "mnist-gap", mean: Catalog.mnistMean, std: Catalog.mnistStd, classes: Catalog.digitNames),
                try! Catalog.architecture(named: "mnist-simplenet")]
    }()

    static func file(_ architecture: ModelArchitecture, seed: UInt64) throws -> SafeTensorsFile {
        let model = try architecture.makeModel(seed: seed)
        var tensors: [String: SafeTensor] = [:]
        for (name, tensor) in model.stateDictionary() {
            tensors[name] = name.hasSuffix("num_batches_tracked")
                ? try SafeTensor(shape: tensor.shape, int64s: tensor.data.map { Int64($0) })
                : try SafeTensor(shape: tensor.shape, floats: tensor.data)
        }
        return SafeTensorsFile(tensors: tensors, metadata: ["architecture": try architecture.jsonString(), "format": "pt"])
    }

    @Test func seedsLoad() throws {
        for architecture in Self.architectures {
            let loaded = try ModelFile.load(bytes: Self.file(architecture, seed: 1).encoded())
            #expect(loaded.architecture == architecture)
            let logits = try loaded.model(.zeros([1] + architecture.inputShape))
            #expect(logits.shape == [1, architecture.classNames.count])
        }
    }

    /// Size arguments the mutator sets: non-positive, just off, beyond the budget, at Int's ends.
    static let interesting: [Int] = [0, -1, -3, Int(Int32.min), Int(Int32.max), Int(UInt32.max), Int.max, Int.min,
                                     1 << 16 + 1, 1 << 20, 1 << 31, 1 << 40, 1 << 62]

    /// One input: a structured mutation (which says whether the result must be rejected) or a
    /// byte-level one (accept or reject are both fine).
    struct Mutant {
        var bytes: [UInt8]
        var mustThrow: Bool
        var what: String
        /// Also run the loaded model (finite-but-huge weights load, and must then compute without
        /// trapping, whatever ∞ or NaN comes out).
        var runs = false
    }

    static func mutant(of seedFile: SafeTensorsFile, _ architecture: ModelArchitecture,
                       random: inout SplitMix64, fuzzer: inout MutationFuzzer) throws -> Mutant {
        var file = seedFile
        var json = try JSONSerialization.jsonObject(with: Data(file.metadata["architecture"]!.utf8)) as! [String: Any]
        var layers = json["layers"] as! [[String: Any]]
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func someSize(_ original: Int) -> Int {
            random.next() % 3 == 0 ? original + pick([1, -1, 2, original]) : pick(interesting)
        }
        var mustThrow = false
        var what = ""
        switch random.next() % 11 {
        case 10:                                              // finite but huge values: they load
            for name in file.tensors.keys.sorted() where random.next() % 2 == 0 && !name.hasSuffix("num_batches_tracked") {
                let stored = file.tensors[name]!
                let scale = pick([Float(3e38), -3e38, 1e30, Float.greatestFiniteMagnitude, 1e20])
                file.tensors[name] = try SafeTensor(shape: stored.shape, floats: stored.floats().map { $0 == 0 ? scale : ($0 < 0 ? -abs(scale) : abs(scale)) })
            }
            return Mutant(bytes: file.encoded(), mustThrow: false, what: "finite but huge values", runs: true)
        case 0, 1, 2:                                         // a layer's size argument
            let sized = layers.indices.filter { index in
                ["in_channels", "out_channels", "kernel_size", "in_features", "out_features", "num_features"].contains { layers[index][$0] != nil }
            }
            let index = pick(sized)
            let keys = ["in_channels", "out_channels", "kernel_size", "in_features", "out_features", "num_features"]
                .filter { layers[index][$0] != nil }
            let key = pick(keys)
            let original = layers[index][key] as! Int
            let value = someSize(original)
            layers[index][key] = value
            // Any change of a convolution, linear or batch-norm size breaks the tensors or the
            // next layer; a pooling window may change and stay valid unless it leaves 1...65536.
            let pooling = ["MaxPool2d", "AvgPool2d"].contains(layers[index]["type"] as! String)
            mustThrow = value != original && (!pooling || value < 1 || value > ModelArchitecture.Budget.maxDimension)
            what = "\(layers[index]["name"]!).\(key) = \(value)"
        case 3:                                               // stride, padding or dropout: may stay valid
            let index = Int(random.next() % UInt64(layers.count))
            let key = pick(["stride", "padding", "p"])
            layers[index][key] = random.next() % 2 == 0 ? pick(interesting) : Int(random.next() % 4)
            what = "\(layers[index]["name"]!).\(key) = \(layers[index][key]!)"
        case 4:                                               // class names disagree with the last layer
            var names = json["class_names"] as! [String]
            if names.count > 1, random.next() % 2 == 0 { names.removeLast() } else { names.append("extra") }
            json["class_names"] = names
            mustThrow = true
            what = "\(names.count) class names"
        case 5:                                               // input shape
            var shape = json["input_shape"] as! [Int]
            switch random.next() % 3 {
            case 0: shape[Int(random.next() % 3)] = pick([0, -1, -28, Int.min, 1 << 20, Int.max]); mustThrow = true
            case 1: shape.append(1); mustThrow = true
            default: shape[1 + Int(random.next() % 2)] += pick([-2, -1, 1, 3])   // may be fine
            }
            json["input_shape"] = shape
            what = "input_shape \(shape)"
        case 6:                                               // a tensor's shape disagrees
            let name = pick(file.tensors.keys.sorted())
            let stored = file.tensors[name]!
            var shape = stored.shape
            var values = stored.floats()
            if shape.isEmpty || random.next() % 2 == 0 {
                shape.append(1)                               // same values, one more dimension
            } else {
                let axis = Int(random.next() % UInt64(shape.count))
                let count = values.count / max(shape[axis], 1)
                shape[axis] += 1
                values += [Float](repeating: 0.5, count: count)
            }
            file.tensors[name] = try SafeTensor(shape: shape, floats: values)
            mustThrow = true
            what = "tensor \(name) shape \(shape)"
        case 7:                                               // a tensor missing or one too many
            if random.next() % 2 == 0 {
                let name = pick(file.tensors.keys.sorted())
                file.tensors[name] = nil
                what = "tensor \(name) removed"
            } else {
                file.tensors["extra.weight"] = try SafeTensor(shape: [2], floats: [1, 2])
                what = "tensor extra.weight added"
            }
            mustThrow = true
        case 8:                                               // the JSON text, byte by byte
            let text = fuzzer.mutate(Array(file.metadata["architecture"]!.utf8))
            file.metadata["architecture"] = String(decoding: text, as: UTF8.self)
            return Mutant(bytes: file.encoded(), mustThrow: false, what: "architecture text mutated")
        default:                                              // the whole file, byte by byte
            let bytes = seedFile.encoded()
            if random.next() % 3 == 0 {                       // truncated: always invalid
                return Mutant(bytes: Array(bytes.prefix(Int(random.next() % UInt64(bytes.count)))), mustThrow: true, what: "truncated")
            }
            return Mutant(bytes: fuzzer.mutate(bytes), mustThrow: false, what: "file bytes mutated")
        }
        json["layers"] = layers
        file.metadata["architecture"] = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        return Mutant(bytes: file.encoded(), mustThrow: mustThrow, what: what)
    }

    static func peakResidentMegabytes() -> Double {
        #if canImport(Glibc)
        var usage = rusage()
        getrusage(0, &usage)      // 0 = RUSAGE_SELF (an enum case in Glibc)
        return Double(usage.ru_maxrss) / 1024
        #else
        return 0
        #endif
    }

    @Test func loaderSurvivesMutations() throws {
        let seeds = try Self.architectures.enumerated().map { try Self.file($0.element, seed: UInt64($0.offset)) }
        var random = SplitMix64(seed: 41)
        var fuzzer = MutationFuzzer(seed: 42)
        var mutants: [Int: Mutant] = [:]
        var accepted: [String] = [], wrongErrors: [String] = []
        let before = Self.peakResidentMegabytes()
        let report = MutationFuzzer.run(iterations: MutationFuzzer.iterations(default: 3000), input: { iteration in
            let which = Int(random.next() % UInt64(seeds.count))
            let mutant = try! Self.mutant(of: seeds[which], Self.architectures[which], random: &random, fuzzer: &fuzzer)
            mutants[iteration] = mutant
            return mutant.bytes
        }) { bytes in
            let iteration = mutants.keys.first!
            let mutant = mutants.removeValue(forKey: iteration)!
            do {
                let loaded = try ModelFile.load(bytes: bytes, path: "mutant \(iteration)")
                if mutant.runs {
                    let logits = try loaded.model(.zeros([2] + loaded.architecture.inputShape))
                    if logits.shape != [2, loaded.architecture.classNames.count], wrongErrors.count < 10 {
                        wrongErrors.append("input \(iteration) (\(mutant.what)): logits \(logits.shape)")
                    }
                }
            } catch is ModelZooError {
                throw CancellationError()
            } catch {
                if wrongErrors.count < 10 { wrongErrors.append("input \(iteration) (\(mutant.what)): \(type(of: error)) \(error)") }
                throw error
            }
            if mutant.mustThrow, accepted.count < 10 { accepted.append("input \(iteration): \(mutant.what)") }
        }
        let growth = Self.peakResidentMegabytes() - before
        print("model file fuzz: \(report); peak RSS grew by \(Int(growth)) MB")
        #expect(report.slowCount == 0, "\(report)")
        #expect(accepted.isEmpty, "invalid model files were loaded: \(accepted)")
        #expect(wrongErrors.isEmpty, "errors other than ModelZooError: \(wrongErrors)")
        #expect(report.rejected > report.iterations / 2, "\(report)")
        #expect(growth < 2048, "the loader's peak memory grew by \(growth) MB")
    }

    /// The architecture checks alone, on the cases named in the issue.
    @Test func architectureChecksNameTheProblem() throws {
        var architecture = Self.architectures[0]
        func rejects(_ change: (inout ModelArchitecture) -> Void, _ expected: String) {
            var copy = architecture
            change(&copy)
            do {
                try copy.validate()
                Issue.record("accepted: \(expected)")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
        rejects({ $0.layers[1].inChannels = -2 }, "in_channels = -2")
        rejects({ $0.layers[1].outChannels = Int.max }, "out_channels = \(Int.max)")
        rejects({ $0.layers[10].inFeatures = 1 << 40 }, "in_features")
        rejects({ $0.classNames.append("d") }, "4 class names")
        rejects({ $0.inputShape = [2, -9, 9] }, "input_shape")
        rejects({ $0.inputShape = [2, 9] }, "input_shape")
        rejects({ $0.layers[1].kernelSize = 40 }, "kernel 40 is larger")
        rejects({ $0.layers[12].outFeatures = 60000; $0.classNames = (0..<60000).map(String.init); $0.layers[11].type = "ReLU"
                  $0.layers[10].outFeatures = 60000; $0.layers[12].inFeatures = 60000 }, "parameters")
        architecture.layers[9].p = 1
        rejects({ _ in }, "p = 1.0")
    }
}
