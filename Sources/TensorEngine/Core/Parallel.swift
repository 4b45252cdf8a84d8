import Dispatch

/// Deterministic parallelism, fenced in one place.
///
/// Work is cut into a fixed number of chunks that depends only on the problem size, never on the
/// number of threads, and every output element is written by exactly one chunk. So results are the
/// same bits whether one core or eight run them. Reductions across chunks must be combined by the
/// caller in chunk order.
public enum Parallel {
    /// The number of worker threads a kernel may use right now: the innermost `withThreads(_:_:)`
    /// around the call, else `defaultThreads`. Read once per parallel loop.
    public static var maximumThreads: Int { scopedThreads ?? defaultThreads }

    /// `$WORKBOOK_THREADS` if set, else the active processor count.
    public static let defaultThreads: Int = {
        if let text = ProcessInfo.processInfo.environment["WORKBOOK_THREADS"], let n = Int(text), n > 0 { return n }
        return max(1, ProcessInfo.activeProcessorCountSafe)
    }()

    /// The thread count set by `withThreads` for the current task (or thread), if any. A task
    /// local, so one test running with a single thread never changes what another test, running
    /// at the same time in another task, sees.
    @TaskLocal static var scopedThreads: Int?

    /// Runs `body` with at most `threads` worker threads in every kernel it calls (`1` turns
    /// parallelism off, which tests use to prove results do not depend on it). Scoped to this
    /// task and the work it runs: nothing global changes.
    public static func withThreads<Result>(_ threads: Int, _ body: () throws -> Result) rethrows -> Result {
        precondition(threads > 0, "withThreads needs at least one thread, got \(threads)")
        return try $scopedThreads.withValue(threads, operation: body)
    }

    /// Calls `body(chunk)` for every chunk in `0..<chunks`, concurrently when `chunks > 1` and more
    /// than one thread is allowed. `body` must only write memory that belongs to its chunk.
    /// The engine's spinning workers (`WorkerPool`) run it when they are free, else libdispatch.
    public static func forEach(chunks: Int, _ body: (Int) -> Void) {
        let limit = maximumThreads, scoped = scopedThreads
        if chunks <= 1 || limit <= 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        let workers = min(chunks, limit)
        if #available(macOS 15.0, *), let pool = WorkerPool.shared,
           pool.run(chunks: chunks, helpers: workers - 1, scoped: scoped, body) {
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            // Each worker takes the next unclaimed chunk, so a late-starting thread does less
            // rather than holding everyone up. Who runs a chunk never changes what it writes.
            let counter = ChunkCounter()
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                // Dispatch's threads do not inherit task locals: a loop nested in a chunk sees
                // the caller's `withThreads` setting only because it is bound again here.
                $scopedThreads.withValue(scoped) {
                    while let chunk = counter.claim(below: chunks) { box.value(chunk) }
                }
            }
        }
    }
}

extension Parallel {
    /// Calls `body` on consecutive ranges covering `0..<count`, concurrently when there is enough
    /// work: one range per `grain` items, at most 16 ranges. The cut depends on `count` alone.
    /// For element-wise loops, where each index writes only its own outputs.
    public static func forEachRange(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let chunks = Swift.max(1, Swift.min(16, count / Swift.max(grain, 1)))
        let per = (count + chunks - 1) / chunks
        forEach(chunks: chunks) { chunk in
            let start = chunk * per, end = Swift.min(count, start + per)
            if start < end { body(start..<end) }
        }
    }
}

/// Hands out chunk numbers 0, 1, 2, … to the workers of one `Parallel.forEach`.
private final class ChunkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func claim(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// Wraps a value the compiler cannot prove `Sendable` (closures over unsafe pointers) for the
/// parallel loops above, whose chunks touch disjoint memory.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

import Foundation

extension ProcessInfo {
    static var activeProcessorCountSafe: Int { ProcessInfo.processInfo.activeProcessorCount }
}

extension Parallel {
    /// `(0..<count).map(body)` on the engine's threads: 16 chunks cut by `count` alone, each
    /// index computed by one call, results in index order — the same bits on any number of cores
    /// when `body(i)` depends on `i` only. For rows of a distance matrix, neighbour lists and the
    /// like, where each index is a row's worth of work.
    public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        let chunks = Swift.min(count, 16)
        guard chunks > 1 else { return (0..<count).map(body) }
        var results = [[T]](repeating: [], count: chunks)
        results.withUnsafeMutableBufferPointer { out in
            forEach(chunks: chunks) { c in
                out[c] = ((c * count / chunks)..<((c + 1) * count / chunks)).map(body)
            }
        }
        return results.flatMap { $0 }
    }
}
