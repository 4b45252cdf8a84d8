import Foundation
import Synchronization

/// The engine's own worker threads for `Parallel.forEach`: they wait for the next loop by
/// spinning for a moment before they sleep.
///
/// Why not only `DispatchQueue.concurrentPerform`: libdispatch's workers go to sleep as soon as a
/// loop ends, and the next loop wakes one with a system call. A ResNet-50 forward pass runs a few
/// hundred short loops back to back (a convolution, then its im2col, then the next layer's), and
/// on this 2-core VM the wake-ups showed as ~200 context switches per pass, 4% of the time in the
/// scheduler and a second core idle a fifth of the time. OpenMP, which PyTorch uses, keeps its
/// threads spinning between loops for the same reason.
///
/// How a loop runs: the calling thread publishes the job (a new generation), claims chunks with
/// the workers from one shared counter, then closes the job (no worker may join after that) and
/// waits for those that joined. Which thread runs a chunk never changes what it writes, so the
/// bits are those of any other schedule. Only one loop at a time owns the pool: a loop nested in
/// a chunk, or one started by another thread meanwhile, runs on libdispatch as before.
///
/// Cost: an idle worker spins for `spinTime` after its last loop (a core that would otherwise
/// be idle), then sleeps on a condition variable until the next loop wakes it. No loop ever
/// waits for a worker that has not joined it, so a worker slow to wake costs speed, never a hang.
/// `WORKBOOK_WORKER_POOL=0` turns the pool off for a whole run (every loop on libdispatch), to
/// time a command both ways.
@available(macOS 15.0, *)
final class WorkerPool: @unchecked Sendable {
    /// One worker per core beyond the caller's; nil on a single core.
    static let shared: WorkerPool? = Parallel.defaultThreads > 1 && ProcessInfo.processInfo.environment["WORKBOOK_WORKER_POOL"] != "0"
        ? WorkerPool(workers: Parallel.defaultThreads - 1) : nil

    /// How long an idle worker spins before it sleeps, in nanoseconds.
    static let spinTime: UInt64 = 200_000

    let workers: Int
    /// Held by the one loop that owns the pool.
    private let owned = Atomic<Bool>(false)
    /// The job's generation (bits 21 and up), whether it is closed (bit 20) and how many workers
    /// joined it (bits 0..<20), in one word so that joining and closing cannot cross.
    private let state = Atomic<Int>(0)
    private static let closed = 1 << 20, joinedMask = (1 << 20) - 1, generationShift = 21
    /// How many workers may join the current job.
    private let allowed = Atomic<Int>(0)
    private let nextChunk = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    // The job itself: written by the owner before it publishes the generation, read by a worker
    // only after it joined, and cleared by the owner once every worker that joined is done.
    private var chunks = 0
    private var body: ((Int) -> Void)?
    private var scoped: Int?

    private init(workers: Int) {
        self.workers = workers
        for _ in 0..<workers {
            let thread = Thread { [unowned self] in self.serve() }
            thread.name = "workbook worker"
            thread.start()
        }
    }

    /// Runs `body(chunk)` for every chunk in `0..<chunks` on this thread and up to `helpers`
    /// workers; false (and nothing run) when another loop owns the pool.
    func run(chunks: Int, helpers: Int, scoped: Int?, _ body: (Int) -> Void) -> Bool {
        guard owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { owned.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            self.chunks = chunks
            self.body = body
            self.scoped = scoped
            nextChunk.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            allowed.store(Swift.min(helpers, workers), ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> Self.generationShift) &+ 1
            state.store(generation << Self.generationShift, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock(); condition.broadcast(); condition.unlock()
            }
            while let chunk = claim() { body(chunk) }
            var current = state.load(ordering: .relaxed)
            while true {
                let (exchanged, original) = state.compareExchange(expected: current, desired: current | Self.closed,
                                                                  ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            }
            let joined = current & Self.joinedMask
            var spins = 0
            while finished.load(ordering: .acquiring) < joined {
                spins &+= 1
                if spins & 1023 == 0 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    private func claim() -> Int? {
        let chunk = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
        return chunk < chunks ? chunk : nil
    }

    /// A worker's life: wait for a generation it has not seen, join it if it is still open and
    /// has room, run chunks until none is left, say so, wait again.
    private func serve() {
        var seen = 0
        while true {
            var current = state.load(ordering: .acquiring)
            var spins = 0
            var start: UInt64 = 0
            while current >> Self.generationShift == seen {
                spins &+= 1
                if spins & 255 == 0 {
                    let now = DispatchTime.now().uptimeNanoseconds
                    if start == 0 { start = now } else if now &- start > Self.spinTime { sleep(after: seen); start = 0 }
                }
                current = state.load(ordering: .acquiring)
            }
            seen = current >> Self.generationShift
            while current >> Self.generationShift == seen, current & Self.closed == 0,
                  current & Self.joinedMask < allowed.load(ordering: .relaxed) {
                let (exchanged, original) = state.compareExchange(expected: current, desired: current &+ 1,
                                                                  ordering: .acquiringAndReleasing)
                if exchanged {
                    work()
                    finished.wrappingAdd(1, ordering: .releasing)
                    break
                }
                current = original
            }
        }
    }

    private func work() {
        guard let body else { return }
        Parallel.$scopedThreads.withValue(scoped) {
            while let chunk = claim() { body(chunk) }
        }
    }

    /// Sleeps until a generation other than `seen` is published. The sleeper count and the
    /// generation are both sequentially consistent: either the owner sees this sleeper and wakes
    /// it, or this worker sees the new generation and does not wait.
    private func sleep(after seen: Int) {
        condition.lock()
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while state.load(ordering: .sequentiallyConsistent) >> Self.generationShift == seen { condition.wait() }
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        condition.unlock()
    }
}
