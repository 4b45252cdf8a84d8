import Foundation

/// What the CPU can do, for choosing between kernels at run time.
///
/// The engine is compiled with `-target-cpu native` on Linux, so the compiler already uses every
/// instruction the machine has; what it cannot know is which register-tile shape suits the
/// machine. Only Linux on x86-64 is probed (its `/proc/cpuinfo` flags); elsewhere the portable
/// choice is kept.
enum CPUFeatures {
    static let hasAVX512: Bool = {
        #if os(Linux) && arch(x86_64)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("avx512f")
        #else
        return false
        #endif
    }()
}
