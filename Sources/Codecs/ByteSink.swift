/// The growable output buffer of the inflater.
///
/// This is the one place in the module that manages raw memory: decoding copies back-references
/// byte by byte, and doing that through `[UInt8]` with its per-access bounds and uniqueness checks
/// would be several times slower. Every write goes through `reserve`, which enforces the caller's
/// output limit, so the pointer arithmetic below never leaves the allocation.
final class ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    /// Back-references may not reach before this index (the start of the current gzip member).
    var windowStart = 0
    let limit: Int

    init(expectedSize: Int, limit: Int) {
        self.limit = limit
        self.capacity = max(1024, min(expectedSize, limit))
        self.base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes or throws `outputLimitExceeded`.
    @inline(__always)
    func reserve(_ extra: Int) throws {
        if extra > capacity - count {
            try grow(toHold: count + extra)
        }
    }

    private func grow(toHold needed: Int) throws {
        guard needed <= limit else { throw CodecError.outputLimitExceeded(limit: limit) }
        let newCapacity = min(max(needed, capacity * 2), limit)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) throws {
        try reserve(1)
        base[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        try reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends `length` bytes copied from `distance` bytes back (LZ77). The regions may overlap:
    /// distance 1 and length 10 repeats the last byte ten times, so overlapping copies go forward
    /// one byte at a time.
    @inline(__always)
    func copyMatch(distance: Int, length: Int) throws {
        guard distance <= count - windowStart else {
            throw CodecError.distanceTooFarBack(distance: distance, available: count - windowStart)
        }
        try reserve(length)
        let destination = base + count
        let source = destination - distance
        if distance >= length {
            destination.update(from: source, count: length)
        } else if distance == 1 {
            destination.update(repeating: source[0], count: length)   // a run of one byte
        } else {
            // Overlapping copy: the output repeats with period `distance`, so the pattern
            // [source, destination + copied) can be copied as a whole, and it doubles each time.
            var copied = 0
            while copied < length {
                let chunk = min(copied + distance, length - copied)
                (destination + copied).update(from: source, count: chunk)
                copied += chunk
            }
        }
        count += length
    }

    /// A view of the bytes written since `start`, valid until the next write.
    func withBytes<R>(from start: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base + start, count: count - start))
    }

    /// The bytes written so far, as an array.
    func toArray() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }
}
