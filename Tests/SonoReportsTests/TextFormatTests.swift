import Foundation
import Testing
import SonoCore
@testable import SonoReports

@Suite("Escaping and number text of the pages")
struct TextFormatTests {
    /// The definition the byte-level escape must equal: scalar by scalar, the five markup
    /// characters replaced and control characters other than newline and tab dropped.
    static func referenceEscape(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    @Test("escape equals the scalar-by-scalar definition")
    func escapeMatchesReference() {
        let fixed = ["", "plain", "a & b", "<script>'x'\"y\"</script>", "\u{1}\u{1F}\n\t\r", "头围 < 10 %",
                     "胎儿 & \"双顶径\"", "emoji 👶🏽 & more", String(repeating: "&", count: 40), "tail<"]
        // Random strings over markup, control, ASCII, two-, three- and four-byte characters, short
        // (stored inline in the String) and long.
        let alphabet: [Unicode.Scalar] = ["&", "<", ">", "\"", "'", "\n", "\t", "\r", "\u{0}", "\u{1B}", "a", "Z", "5", " ",
                                          "é", "ü", "头", "围", "\u{2212}", "\u{00A0}", "👶"]
        var random = SplitMix64(seed: 0x5EED)
        var cases = fixed
        for _ in 0..<500 {
            let count = Int(random.next() % 60)
            var s = String.UnicodeScalarView()
            for _ in 0..<count { s.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            cases.append(String(s))
        }
        for text in cases {
            #expect(Markup.escape(text) == Self.referenceEscape(text), "\(Array(text.utf8))")
        }
    }

    @Test("fixed gives Foundation's %f text, negative zero without its sign")
    func fixedMatchesFoundation() {
        var random = SplitMix64(seed: 42)
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.045, 1e-9, -1e-9, 123456789.987654321, 1e300, -1e300,
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1 + 0.2]
        for _ in 0..<2_000 {
            let bits = random.next()
            let scale = pow(10, Double(Int(bits % 13)) - 6)
            values.append((Double(bits >> 11) / Double(1 << 53) - 0.5) * scale)
        }
        for value in values {
            for digits in 0...6 {
                var expected = String(format: "%.\(digits)f", value)
                if expected.hasPrefix("-"), expected.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { expected.removeFirst() }
                #expect(TextFormat.fixed(value, digits) == expected, "\(value) to \(digits) digits")
            }
        }
        #expect(TextFormat.fixed(nil, 2) == "–")
        #expect(TextFormat.fixed(.nan, 2) == "–")
        #expect(TextFormat.fixed(-0.001, 2) == "0.00")
        #expect(TextFormat.fixed(12.3, 2) == "12.30")
    }
}
