import Codecs
import DataFormats
import Testing

/// Seeded mutation fuzzing of every parser: each mutant must parse or throw, never crash or hang.
/// Set WORKBOOK_FUZZ_LONG=1 for a long run (1,000,000 inputs each) or WORKBOOK_FUZZ_ITERATIONS=N;
/// each input has a time budget (WORKBOOK_FUZZ_BUDGET, 1 s by default).
@Suite struct DataFormatsFuzzTests {
    @Test func idxSurvivesMutations() throws {
        let seeds = try ["tiny-images-idx3-ubyte", "tiny-images-idx3-ubyte.gz", "shorts-idx1-int16"].map(TestPaths.fixture)
        var fuzzer = MutationFuzzer(seed: 21)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try IDX.parse($0, maxSize: 1 << 20).floatValues()
        }
        print("IDX fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    @Test func safetensorsSurvivesMutations() throws {
        let seeds = [try TestPaths.fixture("sample.safetensors"),
                     SafeTensorsFile(tensors: ["a": try SafeTensor(shape: [2], floats: [1, 2])], metadata: ["k": "v"]).encoded()]
        var fuzzer = MutationFuzzer(seed: 22)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            let file = try SafeTensorsFile(bytes: $0)
            for tensor in file.tensors.values { _ = tensor.floats() }
        }
        print("safetensors fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    @Test func npySurvivesMutations() throws {
        let seeds = try ["float32-2x3.npy", "float64-4.npy", "uint8-2x2x2.npy", "int64-3.npy", "float32-v2.npy"]
            .map(TestPaths.fixture)
        var fuzzer = MutationFuzzer(seed: 23)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 10000)) {
            _ = try NPY.decode($0).floats()
        }
        print("NPY fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }

    @Test func cifarSurvivesMutations() throws {
        let seeds = [try TestPaths.fixture("two-records.bin")]
        var fuzzer = MutationFuzzer(seed: 24)
        let report = fuzzer.run(seeds: seeds, iterations: MutationFuzzer.iterations(default: 3000)) {
            _ = try CIFAR10Batch(bytes: $0)
        }
        print("CIFAR fuzz: \(report)")
        #expect(report.slowCount == 0, "\(report)")
    }
}
