// The one place the command line touches the C library: terminal detection and exit codes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum Platform {
    /// Whether standard error is a terminal (progress bars redraw in place only there).
    static var standardErrorIsTerminal: Bool { isatty(2) != 0 }

    /// Kills a child process that ignored SIGTERM.
    static func forceKill(_ pid: Int32) { _ = kill(pid, SIGKILL) }
}

import Foundation
