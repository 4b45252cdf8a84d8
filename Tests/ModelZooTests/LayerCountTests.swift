import DataFormats
import Foundation
import ModelZoo
import Testing

/// A small file must not make loading slow: a file listing 100,000 layers (4.3 MB of ReLUs, which
/// once took 82 s to load: the header's JSON string parser was quadratic in the number of escapes,
/// and the duplicate-name check in the number of layers) is refused at once by the layer budget,
/// and up to the budget loading is linear in the layer count.
@Suite(.maintainers) struct LayerCountTests {
    static func file(reLUs: Int) throws -> [UInt8] {
        var layers: [LayerSpecification] = [.flatten("flatten"), .linear("fc", 4, 2)]
        layers += (0..<reLUs).map { .relu("relu\($0)") }
        let architecture = ModelArchitecture(name: "deep", inputShape: [1, 2, 2], classNames: ["a", "b"], layers: layers)
        let tensors: [String: SafeTensor] = ["fc.weight": try SafeTensor(shape: [2, 4], floats: [Float](repeating: 0.1, count: 8)),
                                             "fc.bias": try SafeTensor(shape: [2], floats: [0, 0])]
        return SafeTensorsFile(tensors: tensors, metadata: ["architecture": try architecture.jsonString(), "format": "pt"]).encoded()
    }

    @Test("100,000 layers are refused at once, naming the budget")
    func tooManyLayers() throws {
        let bytes = try Self.file(reLUs: 100_000)
        let start = Date()
        #expect {
            _ = try ModelFile.load(bytes: bytes)
        } throws: { error in
            "\(error)".contains("100002 layers, more than \(ModelArchitecture.Budget.maxLayers)")
        }
        if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil {
            print(String(format: "100,000 layers (%.1f MB) refused in %.2f s", Double(bytes.count) / 1e6, Date().timeIntervalSince(start)))
        }
    }

    @Test("up to the budget a deep file loads, linearly: 2,500 and 9,990 layers")
    func deepFilesLoad() throws {
        var seconds: [Double] = []
        for count in [2_500, 9_990] {
            let bytes = try Self.file(reLUs: count)
            let start = Date()
            let loaded = try ModelFile.load(bytes: bytes)
            seconds.append(Date().timeIntervalSince(start))
            #expect(loaded.architecture.layers.count == count + 2)
        }
        if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil {
            print(String(format: "loading 2,502 layers %.3f s, 9,992 layers %.3f s", seconds[0], seconds[1]))
        }
    }
}

