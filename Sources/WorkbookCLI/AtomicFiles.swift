import Foundation

/// Writes every output of a command or none, and never leaves a half-written file.
///
/// Each file is written to a temporary file beside its destination (`.NAME.workbook-PID-UUID.tmp`,
/// same folder, so same file system), flushed to disk (`fsync`), and only after every write
/// succeeded renamed over its destination with `rename(2)`, which replaces the old file in one
/// step: a reader, or a crash, sees the old file or the new one, never neither. A folder the
/// command creates for its outputs is removed again when writing fails.
///
/// Temporary files are removed on failure, on SIGINT, SIGTERM and SIGHUP (`Platform` registers
/// them with the signal handler); a temporary file of ours left by a process that no longer runs
/// (killed with SIGKILL, a power cut) is removed by the next write into that folder. Those signals
/// are held back while the renames run, so several outputs (a model, its log and its curve) are
/// published together: only SIGKILL or a power cut can fall between two of the renames.
enum AtomicFiles {
    static func write(_ files: [(url: URL, data: Data)], creatingFolder folder: URL? = nil) throws {
        var createdFolder = false
        if let folder, !FileManager.default.fileExists(atPath: folder.path) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw WorkFailure(message: "cannot create the folder \(folder.path): \(Workbook.describe(error))")
            }
            createdFolder = true
        }
        var temporary: [(URL, URL)] = []
        do {
            for (url, data) in files {
                let directory = url.deletingLastPathComponent()
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    throw CommandLineError(message: "\(url.path) is a folder; give a file name")
                }
                guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CommandLineError(message: "no folder \(directory.path) for \(url.lastPathComponent)")
                }
                removeStaleTemporaries(in: directory)
                let staging = temporaryURL(for: url)
                temporary.append((staging, url))
                try Platform.withTerminationSignalsHeld { try Platform.writeDurably(data, to: staging.path) }
            }
            try Platform.withTerminationSignalsHeld {
                for (staging, url) in temporary {
                    try Platform.replace(url.path, with: staging.path)
                }
            }
        } catch {
            for (staging, _) in temporary { Platform.removeTemporary(staging.path) }
            if createdFolder, let folder { try? FileManager.default.removeItem(at: folder) }
            if error is CommandLineError || error is WorkFailure { throw error }
            throw WorkFailure(message: "cannot write \(files.map(\.url.path).joined(separator: ", ")): \(Workbook.describe(error))")
        }
    }

    /// `.NAME.workbook-PID-UUID.tmp` beside `url`, registered for removal on a signal.
    static func temporaryURL(for url: URL) -> URL {
        let staging = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).workbook-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).tmp")
        Platform.registerTemporary(staging.path)
        return staging
    }

    /// Removes `.….workbook-PID-….tmp` files (and folders) in `directory` whose process no longer runs.
    static func removeStaleTemporaries(in directory: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(".") && (name.hasSuffix(".tmp") || name.hasSuffix(".partial")) {
            guard let range = name.range(of: ".workbook-") else { continue }
            let pid = name[range.upperBound...].prefix { $0.isNumber }
            guard let value = Int32(pid), value > 0, value != ProcessInfo.processInfo.processIdentifier, !Platform.isRunning(value) else { continue }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Writes a tree of files under `folder` as one output. A new folder appears complete or not
    /// at all: everything is written into a hidden sibling (`.NAME.workbook-PID-UUID.partial`) that
    /// is renamed to `folder` once. Into a folder that exists (which may hold other files of the
    /// user's) each file is replaced atomically, all renames after all writes.
    static func writeTree(_ files: [(url: URL, data: Data)], folder: URL) throws {
        let folder = folder.standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CommandLineError(message: "\(folder.path) is a file; give a folder") }
            do {
                for directory in Set(files.map { $0.url.deletingLastPathComponent().path }).sorted() {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                }
            } catch {
                throw WorkFailure(message: "cannot write \(folder.path): \(Workbook.describe(error))")
            }
            try write(files)
            return
        }
        let parent = folder.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandLineError(message: "no folder \(parent.path) for \(folder.lastPathComponent)")
        }
        removeStaleTemporaries(in: parent)
        let partial = parent.appendingPathComponent(".\(folder.lastPathComponent).workbook-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).partial")
        Platform.registerTemporary(partial.path)
        do {
            let base = folder.path + "/"
            for (url, data) in files {
                let path = url.standardizedFileURL.path
                guard path.hasPrefix(base) else { throw WorkFailure(message: "\(path) is not inside \(folder.path)") }
                let target = partial.appendingPathComponent(String(path.dropFirst(base.count)))
                // One file at a time under the signal lock: a signal's clean-up never races a write.
                try Platform.withTerminationSignalsHeld {
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Platform.writeDurably(data, to: target.path)
                }
            }
            // The rename under the signal lock too: a signal's clean-up, removing the hidden folder
            // file by file, must never run while it is renamed into place (a folder without some
            // of its files would be published).
            // (The kill tests slow this step too, so that their signals land on it.)
            try Platform.withTerminationSignalsHeld {
                if Platform.slowWrites > 0 { usleep(Platform.slowWrites) }
                try Platform.replace(folder.path, with: partial.path)
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            Platform.removeTemporary(partial.path)
            if error is CommandLineError || error is WorkFailure { throw error }
            throw WorkFailure(message: "cannot write \(folder.path): \(Workbook.describe(error))")
        }
    }
}
