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
        var text = cFixed(value, digits)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            text.removeFirst()
        }
        return text
    }

    /// C's `%.*f` of a finite `value`: the text `String(format:)` gave, since Foundation formats
    /// `%f` with the C library too, without its per-call format parsing and string bridging (most
    /// of a page's number formatting). Nothing in the process changes the C locale with
    /// `setlocale`, so the decimal point is '.' for both.
    private static func cFixed(_ value: Double, _ digits: Int) -> String {
        let precision = Int32(clamping: max(0, digits))
        func format(into buffer: UnsafeMutableBufferPointer<CChar>) -> Int {
            Int(withVaList([precision, value]) { vsnprintf(buffer.baseAddress, buffer.count, "%.*f", $0) })
        }
        // 64 bytes hold every value the pages print; a longer text (|value| ≥ 1e56, or many
        // decimals) is formatted again into a buffer of its length.
        var length = 0
        let short = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> String? in
            length = format(into: buffer)
            return length < buffer.count ? String(cString: buffer.baseAddress!) : nil
        }
        return short ?? withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            _ = format(into: buffer)
            return String(cString: buffer.baseAddress!)
        }
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
package enum Markup {
    package static func escape(_ text: String) -> String {
        // Every character replaced or dropped is ASCII, and UTF-8 never uses an ASCII byte inside
        // a multi-byte character, so the text is scanned as bytes: most report text has nothing
        // to escape and is returned as it is (scalar by scalar, escaping was 1.6 % of `analyze`'s
        // perf samples on 200 HC18 frames).
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.firstIndex(where: needsEscape) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            out.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                switch byte {
                case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
                // Control characters are not allowed in XML 1.0; they never carry meaning here.
                case ..<0x20 where byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\t"): continue
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        case ..<0x20: byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\t")
        default: false
        }
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
