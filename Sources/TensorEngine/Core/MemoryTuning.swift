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
/// step went from 51 ms to 34 ms with the settings below. They keep blocks up to 32 MiB on the
/// heap (the largest glibc accepts) and keep up to 256 MiB of freed memory for reuse (per glibc
/// arena, of which each worker thread may have one).
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
        let (trimThreshold, topPad, mmapThreshold): (Int32, Int32, Int32) = (-1, -2, -3)   // <malloc.h>
        return mallopt(mmapThreshold, 32 << 20) == 1 && mallopt(trimThreshold, 256 << 20) == 1 && mallopt(topPad, 16 << 20) == 1
        #else
        return false
        #endif
    }()
}
