import Foundation

/// Text for hand-written HTML and the JSON a page embeds: escaping and numbers formatted the
/// same way on every machine (no locale, fixed digits), so regenerated pages are byte-identical.
enum HTMLText {
    /// Escapes `&`, `<`, `>` and both quotes: safe in element text and in quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A JSON string literal that is also safe inside `<script>`: `<` is written as `\u003c`, so
    /// no `</script>` can end the element early.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "<": result += "\\u003c"
            case "&": result += "\\u0026"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }

    /// A finite number with `digits` significant digits in plain or exponent form (`%.*g`), and
    /// `0` for NaN or infinities (JSON has no spelling for them).
    static func number(_ value: Float, digits: Int = 4) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.\(digits)g", Double(value))
    }

    /// A JSON array of numbers.
    static func numbers(_ values: [Float], digits: Int = 4) -> String {
        "[" + values.map { number($0, digits: digits) }.joined(separator: ",") + "]"
    }
}
