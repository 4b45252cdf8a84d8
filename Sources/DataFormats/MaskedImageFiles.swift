import Codecs
import Foundation

/// The folder format of an image data set with one ground-truth mask per image (Shapes):
///
///     images.npy.gz   uint8 [N, C, H, W]   pixels, channel-major, rows top to bottom
///     masks.npy.gz    uint8 [N, H, W]      1 = the pixel belongs to the object, 0 = not
///     labels.npy.gz   uint8 [N]            class indices
///     SHA256SUMS      `sha256sum` lines for the three files
///
/// Each file is a `numpy.save` (format 1.0) array, gzip-compressed (level 6, no name, MTIME 0,
/// so the bytes are reproducible). In Python: `np.load(gzip.open("images.npy.gz"))`.
public enum MaskedImageFiles {
    public static let imagesName = "images.npy.gz", masksName = "masks.npy.gz", labelsName = "labels.npy.gz"
    public static let checksumsName = "SHA256SUMS"

    /// The four files (name, bytes), `SHA256SUMS` last. Cost: gzip of ~4 KB per 32×32 RGB image.
    public static func encode(images: [UInt8], imageShape: [Int], masks: [UInt8], labels: [UInt8]) throws -> [(name: String, bytes: [UInt8])] {
        let count = labels.count
        guard imageShape.count == 3 else { throw DataFormatError.invalidValue("image shape \(imageShape) is not [C, H, W]") }
        let imageArray = try NPYArray(elementType: .uint8, shape: [count] + imageShape, data: images)
        let maskArray = try NPYArray(elementType: .uint8, shape: [count, imageShape[1], imageShape[2]], data: masks)
        let labelArray = try NPYArray(elementType: .uint8, shape: [count], data: labels)
        var files: [(name: String, bytes: [UInt8])] = [
            (imagesName, Gzip.compress(NPY.encode(imageArray))),
            (masksName, Gzip.compress(NPY.encode(maskArray))),
            (labelsName, Gzip.compress(NPY.encode(labelArray))),
        ]
        let sums = files.map { "\(SHA256.hash(of: $0.bytes).hexString)  \($0.name)\n" }.joined()
        files.append((checksumsName, Array(sums.utf8)))
        return files
    }

    /// Parses the three arrays (gunzipped by the caller or not) and checks they agree:
    /// images `[N, C, H, W]`, masks `[N, H, W]` holding only 0 and 1, labels `[N]` below `classes`.
    public static func decode(images: [UInt8], masks: [UInt8], labels: [UInt8], classes: Int) throws
        -> (imageShape: [Int], images: [UInt8], masks: [UInt8], labels: [UInt8]) {
        func array(_ bytes: [UInt8], _ name: String) throws -> NPYArray {
            let raw = Gzip.hasMagicNumber(bytes) ? try Gzip.decompress(bytes) : bytes
            let array = try NPY.decode(raw)
            guard array.elementType == .uint8 else { throw DataFormatError.invalidValue("\(name) holds \(array.elementType.rawValue), not uint8") }
            return array
        }
        let i = try array(images, imagesName), m = try array(masks, masksName), l = try array(labels, labelsName)
        guard i.shape.count == 4, m.shape.count == 3, l.shape.count == 1,
              i.shape[0] == l.shape[0], m.shape[0] == l.shape[0], Array(i.shape[2...]) == Array(m.shape[1...]) else {
            throw DataFormatError.invalidValue("shapes do not match: images \(i.shape), masks \(m.shape), labels \(l.shape)")
        }
        if let bad = m.data.first(where: { $0 > 1 }) { throw DataFormatError.invalidValue("\(masksName) holds \(bad); masks are 0 or 1") }
        if let bad = l.data.first(where: { Int($0) >= classes }) { throw DataFormatError.invalidValue("\(labelsName) holds label \(bad), not below \(classes)") }
        return (Array(i.shape[1...]), i.data, m.data, l.data)
    }
}
