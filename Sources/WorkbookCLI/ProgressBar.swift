import Foundation

/// A progress bar on standard error with rate and ETA. On a terminal it redraws one line in
/// place; otherwise (CI logs, pipes) it prints a plain line every 10% so logs stay readable.
final class ProgressBar {
    private let total: Int, label: String, unit: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastDecile = -1
    private let interactive = Platform.standardErrorIsTerminal

    init(total: Int, label: String, unit: String = "it") {
        self.total = max(total, 1); self.label = label; self.unit = unit
    }

    /// `detail` (e.g. "KL 1.234") is shown after the counts.
    func update(_ done: Int, detail: String? = nil) {
        let suffix = detail.map { "  \($0)" } ?? ""
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let fraction = Double(done) / Double(total)
        if interactive {
            guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = "\r\(label) \(bar) " + String(format: "%3.0f%% %d/%d  %.1f ", 100 * fraction, done, total, rate)
                + "\(unit)/s  ETA \(Self.clock(remaining))" + suffix
            FileHandle.standardError.write(Data(line.utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let decile = Int(fraction * 10)
            guard decile != lastDecile else { return }
            lastDecile = decile
            printError("\(label) " + String(format: "%3.0f%% (%d/%d, %.1f ", 100 * fraction, done, total, rate)
                       + "\(unit)/s, ETA \(Self.clock(remaining)))" + suffix)
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
