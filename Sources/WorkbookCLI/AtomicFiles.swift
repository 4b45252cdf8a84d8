import Foundation

/// Writes every output of a command or none: each file goes to a temporary file beside its
/// destination first, and the renames happen only after every write succeeded. A folder the
/// command creates for its outputs is removed again when writing fails.
enum AtomicFiles {
    static func write(_ files: [(url: URL, data: Data)], creatingFolder folder: URL? = nil) throws {
        var createdFolder = false
        if let folder, !FileManager.default.fileExists(atPath: folder.path) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw CommandLineError(message: "cannot create the folder \(folder.path): \(Workbook.describe(error))")
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
                let staging = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
                try data.write(to: staging)
                temporary.append((staging, url))
            }
            for (staging, url) in temporary {
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
                try FileManager.default.moveItem(at: staging, to: url)
            }
        } catch {
            for (staging, _) in temporary { try? FileManager.default.removeItem(at: staging) }
            if createdFolder, let folder { try? FileManager.default.removeItem(at: folder) }
            if error is CommandLineError { throw error }
            throw CommandLineError(message: "cannot write \(files.map(\.url.path).joined(separator: ", ")): \(Workbook.describe(error))")
        }
    }
}
