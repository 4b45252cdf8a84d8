import DataFormats
import Testing

@Suite struct NPYTests {
    @Test func readsNumpyFiles() throws {
        let matrix = try NPY.decode(TestPaths.fixture("float32-2x3.npy"))
        #expect(matrix.elementType == .float32 && matrix.shape == [2, 3])
        #expect(matrix.floats() == [1.5, -2.0, 3.25, 0.0, 1e-3, -7.5])
        let doubles = try NPY.decode(TestPaths.fixture("float64-4.npy"))
        #expect(doubles.shape == [4] && doubles.floats()[0] == Float(0.1) && doubles.floats()[2] == -.infinity)
        let bytes = try NPY.decode(TestPaths.fixture("uint8-2x2x2.npy"))
        #expect(bytes.elementType == .uint8 && bytes.shape == [2, 2, 2] && bytes.data == Array(0..<8))
        let longs = try NPY.decode(TestPaths.fixture("int64-3.npy"))
        #expect(longs.floats() == [-1, 0, 1_099_511_627_776])
        let scalar = try NPY.decode(TestPaths.fixture("float32-scalar.npy"))
        #expect(scalar.shape == [] && scalar.floats() == [3.5])
        let version2 = try NPY.decode(TestPaths.fixture("float32-v2.npy"))
        #expect(version2.floats() == [1, 2])
    }

    @Test func refusesFortranOrder() {
        #expect(throws: DataFormatError.unsupported("Fortran-order NPY arrays")) {
            try NPY.decode(TestPaths.fixture("float32-fortran.npy"))
        }
    }

    /// `numpy.save` output is reproduced byte for byte (header text, growth spaces, 64-byte alignment).
    @Test(arguments: ["float32-2x3.npy", "uint8-2x2x2.npy", "int64-3.npy", "float32-scalar.npy", "float64-4.npy"])
    func writesByteIdenticalToNumpy(name: String) throws {
        let original = try TestPaths.fixture(name)
        #expect(NPY.encode(try NPY.decode(original)) == original)
    }

    @Test func roundTripsFloats() throws {
        let array = try NPYArray(shape: [3, 1, 2], floats: [1, -2, 3.5, .pi, 0, 1e-30])
        let bytes = NPY.encode(array)
        #expect(bytes.count % 64 == 6 * 4 % 64)          // data starts on a 64-byte boundary
        #expect(try NPY.decode(bytes) == array)
    }

    @Test func rejectsBrokenHeaders() throws {
        let good = try TestPaths.fixture("float32-2x3.npy")
        #expect(throws: DataFormatError.self) { try NPY.decode(Array(good.dropLast())) }
        #expect(throws: DataFormatError.self) { try NPY.decode(Array(good.prefix(9))) }
        var badMagic = good
        badMagic[1] = 0
        #expect(throws: DataFormatError.self) { try NPY.decode(badMagic) }
        let header = "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"
        let bigEndian = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        #expect(throws: DataFormatError.self) { try NPY.decode(bigEndian) }
    }
}
