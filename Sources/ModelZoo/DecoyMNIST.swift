import TensorEngine

/// Decoy MNIST (Ross, Hughes & Doshi-Velez 2017, "Right for the right reasons", §4.1), built as
/// the authors' code builds it (`dtak/rrr`, `rrr/decoy_mnist.py`, `augment`):
///
/// - every image gets a 4×4 swatch in one of the four corners, rows 0–3 or 24–27 and columns
///   0–3 or 24–27, each chosen with probability ½ (their `Bern(0.5)` for `dir1`, then `dir2`);
/// - the swatch's grey level is `255 − 25·d`: in the training set `d` is the true label (a
///   perfect shortcut), in the test set `d` is a uniformly random digit (their
///   `np.random.choice(all_digits)`), so it says nothing about the label;
/// - every other pixel is MNIST's.
///
/// The "truthful" test variant (not in the paper) uses the true label at test time as well,
/// with the same corners as the randomised one: a model that reads the swatch scores high there
/// and low on the randomised set. Image `i` of a split depends only on `(seed, split, i)`.
public enum DecoyMNIST {
    public static let side = 28, swatch = 4
    /// The seed of the course's decoy data (the paper's year).
    public static let defaultSeed: UInt64 = 2017

    public enum Variant: Sendable {
        /// Swatch grey encodes the label (the training set).
        case training
        /// Swatch grey encodes a random digit (the paper's test set).
        case randomised
        /// Swatch grey encodes the label, test images (for measuring reliance on the swatch).
        case truthful
    }

    /// The swatch's grey level for digit `d` (0 → 255, 9 → 30).
    public static func grey(for digit: Int) -> UInt8 { UInt8(255 - 25 * digit) }

    /// Where a swatch sits: bit 0 set = right columns (24–27), bit 1 set = bottom rows (24–27).
    /// So 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
    public static func origin(ofCorner corner: UInt8) -> (row: Int, column: Int) {
        ((corner & 2) != 0 ? side - swatch : 0, (corner & 1) != 0 ? side - swatch : 0)
    }

    /// The 28×28 mask of a corner's swatch: 1 on its 16 pixels, 0 elsewhere.
    public static func mask(corner: UInt8) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: side * side)
        let (row, column) = origin(ofCorner: corner)
        for y in row..<(row + swatch) { for x in column..<(column + swatch) { mask[y * side + x] = 1 } }
        return mask
    }

    /// The decoy images for MNIST `images` (`count · 784` bytes) with `labels`.
    /// - Returns: the images, each image's corner (see `origin(ofCorner:)`) and the digit its
    ///   swatch encodes (the label for `.training` and `.truthful`).
    /// - Parameter test: whether these are test images (they draw from a different stream than
    ///   training images with the same seed; `.training` on test images is allowed).
    public static func make(images: [UInt8], labels: [UInt8], variant: Variant, test: Bool, seed: UInt64 = defaultSeed)
        -> (images: [UInt8], corners: [UInt8], decoys: [UInt8]) {
        precondition(images.count == labels.count * side * side, "\(images.count) bytes are not \(labels.count) MNIST images")
        precondition(labels.allSatisfy { $0 < 10 }, "MNIST labels are digits 0...9")
        var out = images
        var corners = [UInt8](repeating: 0, count: labels.count), decoys = labels
        let stream: UInt64 = test ? 0x7465_7374 : 0x7472_6169_6E   // "test", "train"
        for i in 0..<labels.count {
            var g = SeededGenerator(seed: (seed ^ stream) ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03))
            // The same draws in every variant, so truthful and randomised share their corners.
            let randomDigit = g.nextInt(below: 10)
            let bottom = g.nextInt(below: 2) == 1, right = g.nextInt(below: 2) == 1
            let corner = UInt8((bottom ? 2 : 0) | (right ? 1 : 0))
            let digit = variant == .randomised ? randomDigit : Int(labels[i])
            corners[i] = corner; decoys[i] = UInt8(digit)
            let (row, column) = origin(ofCorner: corner)
            for y in row..<(row + swatch) {
                for x in column..<(column + swatch) { out[i * side * side + y * side + x] = grey(for: digit) }
            }
        }
        return (out, corners, decoys)
    }
}
