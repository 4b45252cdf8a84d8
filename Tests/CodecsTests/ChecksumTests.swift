import Codecs
import Testing

@Suite struct ChecksumTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(of: Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(of: []) == 0)
    }

    @Test func crc32CanBeComputedIncrementally() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        var crc = CRC32()
        crc.update(bytes[..<10])
        crc.update(bytes[10...])
        // python3 -c "import zlib; print(hex(zlib.crc32(b'The quick brown fox jumps over the lazy dog')))"
        #expect(crc.value == 0x414F_A339)
    }

    @Test func adler32MatchesZlib() {
        // python3 -c "import zlib; print(hex(zlib.adler32(b'Wikipedia')))"  -> 0x11e60398
        #expect(Adler32.checksum(of: Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Adler32.checksum(of: []) == 1)
        // Long input exercises the deferred modulo: python3 -c "import zlib; print(hex(zlib.adler32(bytes([255])*100000)))"
        #expect(Adler32.checksum(of: [UInt8](repeating: 255, count: 100_000)) == 0x149A_302C)
    }

    @Test func sha256MatchesTheFIPSVectors() {
        #expect(SHA256.hash(of: Array("abc".utf8)).hexString
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(of: []).hexString
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // FIPS 180-2 appendix B.2, a two-block message.
        #expect(SHA256.hash(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hexString
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha256IsIndependentOfHowTheInputIsSplit() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let whole = SHA256.hash(of: bytes)
        for split in [0, 1, 55, 56, 63, 64, 65, 999] {
            var hasher = SHA256()
            hasher.update(bytes[..<split])
            hasher.update(bytes[split...])
            #expect(hasher.finalize() == whole, "split at \(split)")
        }
    }
}
