import Foundation

/// Locale-independent, fixed-precision text for everything the reports print.
///
/// Reports must be byte-identical across runs and machines, so numbers never go through a
/// locale-aware formatter; `-0.0` is printed as `0.0` so a value that rounds to zero does not
/// flip sign between platforms.
enum TextFormat {
    /// `value` with exactly `digits` decimals ("12.30"); "–" for nil or non-finite values.
    static func fixed(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "–" }
        var text = String(format: "%.\(digits)f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            text.removeFirst()
        }
        return text
    }

    /// Signed fixed-precision text ("+0.42", "−1.10" with a true minus sign for reading).
    static func signed(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "–" }
        let body = fixed(abs(value), digits)
        if body.allSatisfy({ $0 == "0" || $0 == "." }) { return body }
        return (value < 0 ? "\u{2212}" : "+") + body
    }

    /// Percentage with one decimal ("12.5 %") of `part` out of `whole`; "–" when `whole` is 0.
    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "–" }
        return fixed(100 * Double(part) / Double(whole), 1) + "\u{00A0}%"
    }

    /// Gestational age in exact weeks as "w+d" (20.43 → "20+3").
    static func gestationalAge(weeks: Double?) -> String {
        guard let weeks, weeks.isFinite, weeks >= 0 else { return "–" }
        let days = Int((weeks * 7).rounded())
        return "\(days / 7)+\(days % 7)"
    }
}

/// Escaping for text and attribute values in HTML and SVG (both parsed as XML by the tests).
enum Markup {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in XML 1.0; they never carry meaning here.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A value safe to use as a token in `data-*` attributes and CSS classes: letters, digits,
    /// '-', '_' and '.'; everything else becomes '_'.
    static func token(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            let ok = (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
            return ok ? Character(scalar) : "_"
        })
    }
}
