import Foundation

/// A strict, small HTML checker for the pages the CLI writes (stricter than browsers, which
/// repair anything): every element closed in order (void elements may self-close), attribute
/// values quoted, no duplicate attribute or id, `&` only as an entity, and the raw text of
/// `<script>` and `<style>` ends at its own closing tag. Returns the elements for further checks.
struct HTMLChecker {
    struct Element { let name: String; let attributes: [String: String] }

    private(set) var elements: [Element] = []
    private(set) var problems: [String] = []

    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    init(_ html: String) {
        let text = Array(html.unicodeScalars)
        var i = 0, stack: [String] = [], ids = Set<String>()
        func starts(_ s: String, at j: Int) -> Bool {
            let scalars = Array(s.unicodeScalars)
            guard j + scalars.count <= text.count else { return false }
            return zip(scalars, text[j..<(j + scalars.count)]).allSatisfy { String($0).lowercased() == String($1).lowercased() }
        }
        func find(_ s: String, from j: Int) -> Int? {
            var k = j
            while k < text.count { if starts(s, at: k) { return k }; k += 1 }
            return nil
        }
        func isNameCharacter(_ c: Unicode.Scalar) -> Bool { CharacterSet.alphanumerics.contains(c) || c == "-" || c == "_" || c == ":" || c == "." }
        while i < text.count, problems.count < 20 {
            let c = text[i]
            if c == "&" {
                var k = i + 1
                while k < text.count, k - i < 12, isNameCharacter(text[k]) || text[k] == "#" { k += 1 }
                if k >= text.count || text[k] != ";" || k == i + 1 { problems.append("a bare & at character \(i)") }
                i = k; continue
            }
            guard c == "<" else { i += 1; continue }
            if starts("<!--", at: i) {
                guard let end = find("-->", from: i + 4) else { problems.append("an unclosed comment"); break }
                i = end + 3; continue
            }
            if starts("<!doctype", at: i) {
                guard let end = find(">", from: i) else { problems.append("an unclosed doctype"); break }
                i = end + 1; continue
            }
            if starts("</", at: i) {
                var k = i + 2, name = ""
                while k < text.count, isNameCharacter(text[k]) { name.unicodeScalars.append(text[k]); k += 1 }
                guard k < text.count, text[k] == ">" else { problems.append("a malformed end tag </\(name) at \(i)"); break }
                name = name.lowercased()
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")>") }
                i = k + 1; continue
            }
            // A start tag: name, attributes, then > or />.
            var k = i + 1, name = ""
            while k < text.count, isNameCharacter(text[k]) { name.unicodeScalars.append(text[k]); k += 1 }
            guard !name.isEmpty else { problems.append("a bare < at character \(i)"); i += 1; continue }
            name = name.lowercased()
            var attributes: [String: String] = [:], selfClosing = false, closed = false
            while k < text.count {
                while k < text.count, text[k] == " " || text[k] == "\n" || text[k] == "\t" { k += 1 }
                guard k < text.count else { break }
                if text[k] == ">" { closed = true; k += 1; break }
                if text[k] == "/", k + 1 < text.count, text[k + 1] == ">" { closed = true; selfClosing = true; k += 2; break }
                var attribute = ""
                while k < text.count, isNameCharacter(text[k]) { attribute.unicodeScalars.append(text[k]); k += 1 }
                guard !attribute.isEmpty else { problems.append("junk in <\(name)> at \(k)"); k += 1; continue }
                if attributes[attribute] != nil { problems.append("<\(name)> repeats \(attribute)") }
                guard k < text.count, text[k] == "=" else { attributes[attribute] = ""; continue }
                k += 1
                guard k < text.count, text[k] == "\"" || text[k] == "'" else { problems.append("<\(name) \(attribute)=…> is not quoted"); continue }
                let quote = text[k]
                var value = ""
                k += 1
                while k < text.count, text[k] != quote { value.unicodeScalars.append(text[k]); k += 1 }
                if value.contains("<") { problems.append("a < inside <\(name) \(attribute)>") }
                attributes[attribute] = value
                k += 1
            }
            guard closed else { problems.append("an unclosed <\(name)> tag"); break }
            if let id = attributes["id"], !ids.insert(id).inserted { problems.append("the id \(id) appears twice") }
            elements.append(Element(name: name, attributes: attributes))
            i = k
            if name == "script" || name == "style" {
                guard let end = find("</\(name)>", from: i) else { problems.append("<\(name)> never ends"); break }
                i = end + name.count + 3; continue
            }
            if !selfClosing && !Self.voidElements.contains(name) { stack.append(name) }
        }
        if !stack.isEmpty { problems.append("unclosed at the end: " + stack.joined(separator: " ")) }
    }
}
