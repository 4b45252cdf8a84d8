import Foundation
import LessonSupport

/// Whether an exercise was written by hand: an exercise that asks for something the engine or the
/// library already does (4.2's bilinear upsampling is `Tensor.resizedBilinear`, 2.2's reduction
/// is `Render.reducedChannels`) fails when its function's body calls that.
///
/// The body read is the graded one: the student's `Lessons/<folder>/*.swift` (student mode) or
/// the reference's `Solutions/<folder>/*.swift` (solutions mode); in the other modes (a mistake or
/// a variant injected by `verify`) nothing is checked. Comments and string literals are ignored.
public enum WrittenByHand {
    /// The names of `forbidden` that the body of `stub` (e.g. `upsampleBilinear(_:height:width:)`)
    /// calls; empty when there is nothing to check or the body cannot be found.
    public static func forbiddenCalls(in stub: String, lesson folder: String, forbidden: [String]) -> [String] {
        let root: String
        switch WorkbookMode.current {
        case .student: root = "Lessons"
        case .solutions: root = "Solutions"
        default: return []
        }
        let directory = LessonPaths.root.appendingPathComponent("\(root)/\(folder)")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        for file in files {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8),
                  let body = body(of: stub, in: text) else { continue }
            return forbidden.filter { body.contains($0) }
        }
        return []
    }

    /// The code of the body of the first `func NAME(` in `text` that is not in a comment, with
    /// comments and string literals blanked; nil if none.
    public static func body(of stub: String, in text: String) -> String? {
        let code = Array(blankingCommentsAndStrings(text))
        let name = Array("func \(stub.prefix { $0 != "(" })(")
        guard code.count >= name.count else { return nil }
        var start: Int?
        for i in 0...(code.count - name.count) where code[i] == "f" && Array(code[i..<(i + name.count)]) == name {
            start = i
            break
        }
        guard let start, let open = code[start...].firstIndex(of: "{") else { return nil }
        var depth = 0
        for i in open..<code.count {
            if code[i] == "{" { depth += 1 }
            if code[i] == "}" {
                depth -= 1
                if depth == 0 { return String(code[(open + 1)..<i]) }
            }
        }
        return nil
    }

    /// `text` with `//` and `/* */` comments and the contents of string literals replaced by
    /// spaces (a name in a message or a comment is no call).
    public static func blankingCommentsAndStrings(_ text: String) -> String {
        var out: [Character] = []
        let c = Array(text)
        var i = 0
        while i < c.count {
            if c[i] == "/", i + 1 < c.count, c[i + 1] == "/" {
                while i < c.count, c[i] != "\n" { out.append(" "); i += 1 }
            } else if c[i] == "/", i + 1 < c.count, c[i + 1] == "*" {
                var depth = 0
                repeat {
                    if c[i] == "/", i + 1 < c.count, c[i + 1] == "*" { depth += 1; out.append(contentsOf: "  "); i += 2; continue }
                    if c[i] == "*", i + 1 < c.count, c[i + 1] == "/" { depth -= 1; out.append(contentsOf: "  "); i += 2; continue }
                    out.append(c[i] == "\n" ? "\n" : " "); i += 1
                } while i < c.count && depth > 0
            } else if c[i] == "\"" {
                out.append("\""); i += 1
                while i < c.count, c[i] != "\"", c[i] != "\n" {
                    if c[i] == "\\", i + 1 < c.count { out.append(contentsOf: "  "); i += 2; continue }
                    out.append(" "); i += 1
                }
                if i < c.count { out.append(c[i]); i += 1 }
            } else {
                out.append(c[i]); i += 1
            }
        }
        return String(out)
    }
}
