import Testing
import Foundation
@testable import TensorEngine

/// The engine's spinning worker threads (`WorkerPool`): every chunk runs once, whoever runs it;
/// nested loops and loops from several threads at once still work (on libdispatch); a worker that
/// went to sleep is woken by the next loop.
@Suite("Worker pool")
struct WorkerPoolTests {
    /// `chunks` slots, each written by its own chunk only: how often each chunk ran. Raw memory,
    /// not an array, so chunks on different threads never touch a shared array's bookkeeping.
    final class Counts: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<Int>
        init(_ count: Int) { slots = .allocate(capacity: count); slots.initialize(repeating: 0) }
        deinit { slots.deallocate() }
        var values: [Int] { Array(slots) }
    }

    @Test("every chunk runs exactly once, over thousands of loops of every size")
    func everyChunkOnce() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5000 {
            let chunks = Int(generator.next() % 40) + 1
            let counts = Counts(chunks)
            Parallel.forEach(chunks: chunks) { chunk in counts.slots[chunk] += 1 }
            #expect(counts.values == [Int](repeating: 1, count: chunks))
            if counts.values != [Int](repeating: 1, count: chunks) { return }
        }
    }

    @Test("loops nested in chunks, and loops from four threads at once, run every chunk once")
    func nestedAndConcurrent() async {
        await withTaskGroup(of: Bool.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for round in 0..<300 {
                        let outer = 2 + (task + round) % 7, inner = 1 + round % 9
                        let counts = Counts(outer * inner)
                        Parallel.forEach(chunks: outer) { o in
                            Parallel.forEach(chunks: inner) { i in counts.slots[o * inner + i] += 1 }
                        }
                        if counts.values != [Int](repeating: 1, count: outer * inner) { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
    }

    @Test("a worker asleep after a pause joins the next loop, and one not allowed to never does")
    func wakesAfterSleeping() throws {
        guard #available(macOS 15.0, *), let pool = WorkerPool.shared else { return }
        func loop(helpers: Int) -> Bool {
            // Each chunk notes its thread, then waits (up to 5 s) for the other to start: two
            // threads when a worker joined, one after the other when none did. (A spinning worker
            // may claim chunk 0 before the caller does: which chunk runs where does not matter.)
            let lock = NSLock()
            var threads: [pthread_t] = []
            while !pool.run(chunks: 2, helpers: helpers, scoped: nil, { _ in
                lock.lock(); threads.append(pthread_self()); lock.unlock()
                let deadline = Date().addingTimeInterval(helpers > 0 ? 5 : 0.05)
                while Date() < deadline {
                    lock.lock(); let both = threads.count == 2; lock.unlock()
                    if both { break }
                    usleep(50)
                }
            }) { usleep(200) }   // another test owns the pool: wait for it
            lock.lock(); defer { lock.unlock() }
            return threads.count == 2 && pthread_equal(threads[0], threads[1]) == 0
        }
        for _ in 0..<10 {
            usleep(UInt32(2 * WorkerPool.spinTime / 1000))   // longer than a worker spins: it sleeps
            #expect(loop(helpers: 1), "the sleeping worker was not woken for the loop")
        }
        #expect(!loop(helpers: 0), "a worker joined a loop that allowed none")
    }
}
