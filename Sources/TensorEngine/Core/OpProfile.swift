import Dispatch
import Foundation

/// Where the time goes, op by op: set `WORKBOOK_PROFILE=1` and call `OpProfile.report()`
/// (`workbook bench` prints it); `WORKBOOK_PROFILE=shapes` keeps each output shape apart (a
/// network's conv1 and conv2 are then two lines). Off by default, and then costs one branch per op.
///
/// Forward: the time from the previous op's result to this op's result, on the calling thread
/// (the op itself plus the glue code before it). Backward: each node's backward closure, exactly.
public enum OpProfile {
    public static let isEnabled = ["1", "shapes"].contains(ProcessInfo.processInfo.environment["WORKBOOK_PROFILE"])
    /// Whether ops are told apart by their output shape too.
    static let bySize = ProcessInfo.processInfo.environment["WORKBOOK_PROFILE"] == "shapes"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var totals: [String: (seconds: Double, calls: Int)] = [:]
    nonisolated(unsafe) private static var lastResult: UInt64 = 0

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Records a forward op whose result was just made.
    static func forward(_ operation: String, shape: [Int]) {
        let t = now()
        lock.lock(); defer { lock.unlock() }
        if lastResult != 0 { add("forward  \(operation)", shape: shape, Double(t &- lastResult) / 1e9) }
        lastResult = t
    }

    /// Records a backward closure that ran from `start` until now.
    static func backward(_ operation: String, shape: [Int], since start: UInt64) {
        let t = now()
        lock.lock(); defer { lock.unlock() }
        add("backward \(operation)", shape: shape, Double(t &- start) / 1e9)
        lastResult = 0
    }

    private static func add(_ name: String, shape: [Int], _ seconds: Double) {
        let key = bySize ? name + " " + shape.map(String.init).joined(separator: "×") : name
        let old = totals[key] ?? (0, 0)
        totals[key] = (old.seconds + seconds, old.calls + 1)
    }

    /// Forgets what was recorded.
    public static func reset() {
        lock.lock(); defer { lock.unlock() }
        totals = [:]; lastResult = 0
    }

    /// A table of the recorded ops, slowest first: total milliseconds, calls, share.
    public static func report() -> String {
        lock.lock(); defer { lock.unlock() }
        let all = totals.values.reduce(0) { $0 + $1.seconds }
        var lines = ["op                                        total ms    calls   share"]
        for (key, value) in totals.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            lines.append(key.padding(toLength: Swift.max(40, key.count), withPad: " ", startingAt: 0)
                         + String(format: " %10.2f %8d %6.1f%%", value.seconds * 1e3, value.calls, 100 * value.seconds / Swift.max(all, 1e-12)))
        }
        return lines.joined(separator: "\n")
    }
}
