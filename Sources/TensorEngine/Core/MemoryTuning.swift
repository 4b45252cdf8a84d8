import Foundation
#if os(Linux)
import Glibc
#endif

/// Keeps glibc's allocator from handing the engine's large buffers back to the kernel.
///
/// Why: every op returns a fresh array, and a training step allocates and frees hundreds of
/// buffers of 0.1–10 MB. With glibc's defaults, blocks that large are `mmap`ed and `munmap`ed
/// (or trimmed off the heap) each time, so every step pays a page fault per 4 KiB touched plus
/// the kernel's zeroing: measured on the CI machine, 19% of a `mnist-gap` training step, and the
/// step went from 51 ms to 34 ms with the settings below. They keep every block on the heap
/// (`M_MMAP_MAX` 0: glibc maps no block on its own, except one larger than the 64 MiB heap of a
/// worker thread's arena, which it then maps anyway) and keep up to 1 GiB of freed memory at the
/// top of the heap for reuse (per glibc arena, of which each worker thread may have one).
///
/// Why 1 GiB and no `mmap` at all: a batch of 27 photos through ResNet-50 writes conv outputs of
/// 87 MB (27 × 256 × 56 × 56 floats), too large for the 32 MiB threshold; and with a 256 MiB trim
/// threshold the heap still gave back, and faulted in again, ~240 MB a batch. Occlusion's 27
/// batches took 1.86 million page faults (4.1 s of system time) with the earlier settings, 1.6
/// million (3.4 s) with no `mmap` but 256 MiB kept, 95,000 (0.5 s) with both settings below;
/// the row went from 31.9 to 30.9 s against the second (median of three, alternated). The cost:
/// a process keeps the memory of its largest step until it ends (its peak resident size does not
/// change).
///
/// The settings apply to the whole process, once, the first time a tensor is created; they only
/// change where freed memory waits, never a result. Other platforms keep their allocator's defaults.
/// Set `WORKBOOK_MALLOC_DEFAULTS=1` to leave glibc's defaults alone (e.g. to measure the difference).
enum MemoryTuning {
    static let applied: Bool = {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["WORKBOOK_MALLOC_DEFAULTS"] == "1" { return false }
        // `mallopt` is not in Swift's Glibc module map: look it up by name.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let (trimThreshold, topPad, mmapThreshold, mmapMax): (Int32, Int32, Int32, Int32) = (-1, -2, -3, -4)   // <malloc.h>
        return mallopt(mmapMax, 0) == 1 && mallopt(mmapThreshold, 32 << 20) == 1
            && mallopt(trimThreshold, 1 << 30) == 1 && mallopt(topPad, 16 << 20) == 1
        #else
        return false
        #endif
    }()
}
