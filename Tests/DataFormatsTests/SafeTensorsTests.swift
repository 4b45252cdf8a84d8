import DataFormats
import Foundation
import Testing

@Suite struct SafeTensorsTests {
    /// The tensors that Fixtures/make_fixtures.py saves with `safetensors.torch.save_file`.
    static func pythonTensors() throws -> [String: SafeTensor] {
        [
            "weight": try SafeTensor(shape: [2, 3], floats: [1.5, -2.0, 3.25, 0.0, 1e-3, -7.5]),
            "bias": try SafeTensor(shape: [2], floats: [0.5, -0.5]),
            "labels": try SafeTensor(shape: [3], int64s: [7, 2, -1]),
            "image": try SafeTensor(shape: [2, 2], uint8s: [0, 128, 255, 7]),
            "half": try SafeTensor(shape: [4], floats: [1.0, -0.33325195, 65504.0, 6e-08], dtype: .float16),
            "brain": try SafeTensor(shape: [3], floats: [1.0, -3.140625, 1e30], dtype: .bfloat16),
            "double": try SafeTensor(dtype: .float64, shape: [1], data: withUnsafeBytes(of: (2.718281828459045).bitPattern.littleEndian, Array.init)),
            "small": try SafeTensor(dtype: .int8, shape: [2], data: [0x80, 0x7F]),
            "int32": try SafeTensor(dtype: .int32, shape: [2, 1], data: withUnsafeBytes(of: (Int32(-70000).littleEndian, Int32(70000).littleEndian), Array.init)),
            "flags": try SafeTensor(dtype: .bool, shape: [3], data: [1, 0, 1]),
            "scalar": try SafeTensor(shape: [], floats: [42]),
            "empty": try SafeTensor(shape: [0, 3], floats: []),
        ]
    }

    @Test func readsAFileWrittenByPython() throws {
        let file = try SafeTensorsFile(bytes: TestPaths.fixture("sample.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.count == 12)
        #expect(file.tensors["weight"]?.shape == [2, 3])
        #expect(file.tensors["weight"]?.floats() == [1.5, -2.0, 3.25, 0.0, 1e-3, -7.5])
        #expect(try file.tensors["labels"]?.int64s() == [7, 2, -1])
        #expect(file.tensors["image"]?.data == [0, 128, 255, 7])
        // python: [float(x) for x in load_file(...)["half"].float()]
        #expect(file.tensors["half"]?.floats() == [1.0, -0.333251953125, 65504.0, 5.960464477539063e-08])
        #expect(file.tensors["brain"]?.floats() == [1.0, -3.140625, 1.0002555517425873e+30])
        #expect(file.tensors["double"]?.floats() == [Float(2.718281828459045)])
        #expect(try file.tensors["small"]?.int64s() == [-128, 127])
        #expect(try file.tensors["int32"]?.int64s() == [-70000, 70000])
        #expect(try file.tensors["flags"]?.int64s() == [1, 0, 1])
        #expect(file.tensors["scalar"]?.shape == [] && file.tensors["scalar"]?.floats() == [42])
        #expect(file.tensors["empty"]?.elementCount == 0)
        #expect(throws: DataFormatError.self) { try file.tensors["weight"]!.int64s() }
    }

    /// The strongest test of the writer: the same tensors give the same bytes as Python's.
    @Test func writesByteIdenticalToPython() throws {
        let ours = SafeTensorsFile(tensors: try Self.pythonTensors(), metadata: ["format": "pt"]).encoded()
        let theirs = try TestPaths.fixture("sample.safetensors")
        #expect(ours == theirs)
    }

    /// A file written here was loaded once with `safetensors.numpy.load_file` in Python and gave
    /// back {"a": [[1, 2], [3, 4]] (float32), "ids": [5, -6] (int64)} and, via safe_open, the
    /// metadata {"k": "v\"q", "unicode": "µ→\n"} (export with WORKBOOK_SAFETENSORS_EXPORT=/tmp/dir).
    @Test func roundTrips() throws {
        let file = SafeTensorsFile(
            tensors: ["a": try SafeTensor(shape: [2, 2], floats: [1, 2, 3, 4]),
                      "ids": try SafeTensor(shape: [2], int64s: [5, -6])],
            metadata: ["k": "v\"q", "unicode": "µ→\n"])
        let bytes = file.encoded()
        if let folder = ProcessInfo.processInfo.environment["WORKBOOK_SAFETENSORS_EXPORT"] {
            try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent("ours.safetensors"))
        }
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(headerLength % 8 == 0)
        #expect(try SafeTensorsFile(bytes: bytes) == file)
    }

    @Test func rejectsInvalidFiles() throws {
        let valid = SafeTensorsFile(tensors: ["x": try SafeTensor(shape: [2], floats: [1, 2])]).encoded()
        func file(header: String, data: [UInt8]) -> [UInt8] {
            let json = Array(header.utf8)
            return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
        }
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [(String, [UInt8])] = [
            ("truncated", Array(valid.dropLast())),
            ("trailing bytes", valid + [0]),
            ("huge header length", [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + valid.dropFirst(8)),
            ("offset past end", file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, data: eight)),
            ("gap", file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight)),
            ("overlap", file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight)),
            ("shape vs bytes", file(header: #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight)),
            ("unknown dtype", file(header: #"{"x":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}"#, data: eight)),
            ("reversed offsets", file(header: #"{"x":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}"#, data: eight)),
            ("metadata not strings", file(header: #"{"__metadata__":{"a":1}}"#, data: [])),
            ("not an object", file(header: "[1]", data: [])),
            ("bad JSON", file(header: #"{"x":"#, data: [])),
            ("duplicate key", file(header: #"{"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"#, data: [])),
        ]
        for (name, bytes) in cases {
            #expect(throws: DataFormatError.self, "\(name)") { try SafeTensorsFile(bytes: bytes) }
        }
    }

    @Test func halfPrecisionConversionsRoundCorrectly() throws {
        let values: [Float] = [0, -0, 1, 65504, 65520, 1e-8, 5.9604645e-08, 0.1, .infinity, -.infinity]
        let half = try SafeTensor(shape: [values.count], floats: values, dtype: .float16).floats()
        // numpy: [float(np.float16(v)) for v in values]
        #expect(half == [0, -0, 1, 65504, .infinity, 0, 5.9604645e-08, 0.0999755859375, .infinity, -.infinity])
        let brain = try SafeTensor(shape: [3], floats: [0.1, 1.00390625, .nan], dtype: .bfloat16).floats()
        // torch: torch.tensor([0.1, 1.00390625]).bfloat16().float() -> [0.10009765625, 1.0]
        #expect(brain[0] == 0.10009765625 && brain[1] == 1.0 && brain[2].isNaN)
    }
}
