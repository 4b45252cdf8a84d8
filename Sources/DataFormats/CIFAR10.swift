import Foundation

/// A CIFAR-10 binary batch (https://www.cs.toronto.edu/~kriz/cifar.html, "binary version").
///
/// The file is a sequence of 3073-byte records: one label byte (0...9), then a 32×32 colour image
/// as 1024 red, 1024 green and 1024 blue bytes (channel-major, "CHW"), rows top to bottom.
/// The standard batches hold 10000 records (30,730,000 bytes).
public struct CIFAR10Batch: Equatable, Sendable {
    public static let imageSide = 32
    public static let imageBytes = 3 * 32 * 32
    public static let recordBytes = 1 + imageBytes
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]

    /// One label (0...9) per image.
    public let labels: [UInt8]
    /// All images back to back, each `imageBytes` long in CHW order.
    public let images: [UInt8]

    public var count: Int { labels.count }

    /// The CHW bytes of image `index`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        images[(index * Self.imageBytes)..<((index + 1) * Self.imageBytes)]
    }

    /// Parses a batch; the length must be a whole number of records and every label below 10.
    public init(bytes: [UInt8]) throws {
        guard bytes.count % Self.recordBytes == 0 else {
            throw DataFormatError.sizeMismatch(
                context: "CIFAR-10 batch (a multiple of \(Self.recordBytes)-byte records)",
                expected: (bytes.count / Self.recordBytes + 1) * Self.recordBytes, actual: bytes.count)
        }
        let count = bytes.count / Self.recordBytes
        var labels = [UInt8]()
        var images = [UInt8]()
        labels.reserveCapacity(count)
        images.reserveCapacity(count * Self.imageBytes)
        for record in 0..<count {
            let start = record * Self.recordBytes
            guard bytes[start] < 10 else {
                throw DataFormatError.invalidValue("CIFAR-10 record \(record) has label \(bytes[start]), expected 0...9")
            }
            labels.append(bytes[start])
            images += bytes[(start + 1)..<(start + Self.recordBytes)]
        }
        self.labels = labels
        self.images = images
    }

    /// Reads a `data_batch_N.bin` / `test_batch.bin` file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: [UInt8](Data(contentsOf: url)))
    }

    /// Builds a batch from labels and CHW images (for tests and synthetic data).
    public init(labels: [UInt8], images: [UInt8]) {
        precondition(images.count == labels.count * Self.imageBytes, "one 3072-byte image per label")
        self.labels = labels
        self.images = images
    }

    /// The file bytes of this batch (label, then CHW image, per record).
    public func encoded() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count * Self.recordBytes)
        for index in 0..<count {
            bytes.append(labels[index])
            bytes += image(at: index)
        }
        return bytes
    }
}
