import Foundation

/// A strict structural checker for the pages SonoReports writes (not a general HTML parser):
/// every non-void element is closed in order, attributes are double-quoted and unique, `&` starts
/// a known entity, ids are unique, `aria-labelledby` and `#fragment` links point at existing ids,
/// every `href`/`src` resolves to a file beside the page or a `data:` URI, `<img>` has `alt`, and
/// nothing would make a network request. Script and style bodies are raw text, as in HTML.
struct HTMLStructure {
    struct Element { var name: String; var attributes: [String: String] }

    private(set) var problems: [String] = []
    private(set) var elements: [Element] = []
    private(set) var ids: Set<String> = []
    private(set) var text = ""

    static let voidElements: Set<String> = ["meta", "link", "img", "br", "hr", "input", "source", "col", "area", "base", "wbr"]
    static let rawTextElements: Set<String> = ["script", "style"]
    static let namedEntities: Set<String> = ["amp", "lt", "gt", "quot", "apos", "nbsp"]

    /// Parses `html`; `baseDirectory` is where relative links must resolve (nil skips file checks).
    init(_ html: String, baseDirectory: URL?) {
        let chars = Array(html.unicodeScalars)
        var i = 0
        var stack: [String] = []
        func peek(_ s: String) -> Bool {
            let u = Array(s.unicodeScalars)
            guard i + u.count <= chars.count else { return false }
            for k in 0..<u.count where Character(chars[i + k]).lowercased() != Character(u[k]).lowercased() { return false }
            return true
        }
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == ":" || c == "_"
        }
        func checkEntities(_ s: String, context: String) {
            var rest = Substring(s)
            while let amp = rest.firstIndex(of: "&") {
                let after = rest[rest.index(after: amp)...]
                guard let semi = after.firstIndex(of: ";") else {
                    problems.append("bare '&' in \(context)"); return
                }
                let name = String(after[..<semi])
                let ok: Bool
                if name.hasPrefix("#x") { ok = UInt32(name.dropFirst(2), radix: 16) != nil }
                else if name.hasPrefix("#") { ok = UInt32(name.dropFirst()) != nil }
                else { ok = Self.namedEntities.contains(name) }
                if !ok { problems.append("unknown entity '&\(name);' in \(context)") }
                rest = after[after.index(after: semi)...]
            }
        }
        if peek("<!DOCTYPE html>") { i += 15 } else { problems.append("missing <!DOCTYPE html>") }
        var textStart = i
        func flushText() {
            if textStart < i {
                let t = String(String.UnicodeScalarView(chars[textStart..<i]))
                checkEntities(t, context: "text near '\(t.prefix(40))'")
                text += t
            }
        }
        while i < chars.count {
            if chars[i] != "<" { i += 1; continue }
            flushText()
            if peek("<!--") {
                while i < chars.count && !peek("-->") { i += 1 }
                if i >= chars.count { problems.append("unterminated comment"); break }
                i += 3; textStart = i; continue
            }
            let closing = i + 1 < chars.count && chars[i + 1] == "/"
            var j = i + (closing ? 2 : 1)
            var name = ""
            while j < chars.count, isNameChar(chars[j]) { name.unicodeScalars.append(chars[j]); j += 1 }
            guard !name.isEmpty else { problems.append("stray '<' at offset \(i)"); i += 1; textStart = i; continue }
            // Attributes.
            var attributes: [String: String] = [:]
            var selfClosing = false
            while j < chars.count {
                while j < chars.count, chars[j] == " " || chars[j] == "\n" || chars[j] == "\t" { j += 1 }
                guard j < chars.count else { break }
                if chars[j] == ">" { j += 1; break }
                if chars[j] == "/", j + 1 < chars.count, chars[j + 1] == ">" { selfClosing = true; j += 2; break }
                var attr = ""
                while j < chars.count, isNameChar(chars[j]) { attr.unicodeScalars.append(chars[j]); j += 1 }
                guard !attr.isEmpty else { problems.append("bad attribute syntax in <\(name)> at offset \(j)"); j += 1; continue }
                guard j + 1 < chars.count, chars[j] == "=", chars[j + 1] == "\"" else {
                    problems.append("attribute \(attr) of <\(name)> is not double-quoted"); continue
                }
                j += 2
                var value = ""
                while j < chars.count, chars[j] != "\"" {
                    if chars[j] == "<" { problems.append("'<' inside attribute \(attr) of <\(name)>") }
                    value.unicodeScalars.append(chars[j]); j += 1
                }
                j += 1
                if attributes[attr] != nil { problems.append("duplicate attribute \(attr) on <\(name)>") }
                checkEntities(value, context: "attribute \(attr) of <\(name)>")
                attributes[attr] = Self.unescape(value)
            }
            i = j
            textStart = i
            if closing {
                if Self.voidElements.contains(name) { problems.append("closing tag for void element </\(name)>") }
                if stack.last == name { stack.removeLast() } else {
                    problems.append("</\(name)> closes <\(stack.last ?? "nothing")>")
                    if let k = stack.lastIndex(of: name) { stack.removeSubrange(k...) }
                }
                continue
            }
            elements.append(Element(name: name, attributes: attributes))
            if let id = attributes["id"] {
                if ids.contains(id) { problems.append("duplicate id \(id)") }
                ids.insert(id)
            }
            if selfClosing || Self.voidElements.contains(name) { continue }
            if Self.rawTextElements.contains(name) {
                while i < chars.count && !peek("</\(name)>") { i += 1 }
                i += name.unicodeScalars.count + 3
                textStart = i
                continue
            }
            stack.append(name)
        }
        flushText()
        if !stack.isEmpty { problems.append("unclosed elements: \(stack.joined(separator: " > "))") }
        checkReferences(html, baseDirectory: baseDirectory)
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private mutating func checkReferences(_ html: String, baseDirectory: URL?) {
        for e in elements {
            if e.name == "img", e.attributes["alt"] == nil { problems.append("<img> without alt") }
            if let labels = e.attributes["aria-labelledby"] {
                for id in labels.split(separator: " ") where !ids.contains(String(id)) {
                    problems.append("aria-labelledby refers to missing id \(id)")
                }
            }
            for key in ["href", "src", "xlink:href", "action", "poster", "srcset"] {
                guard let ref = e.attributes[key] else { continue }
                let lower = ref.lowercased()
                if lower.hasPrefix("data:") { continue }
                if lower.contains("://") || lower.hasPrefix("//") || lower.hasPrefix("javascript:") {
                    problems.append("external or script reference \(key)=\(ref)")
                    continue
                }
                if ref.hasPrefix("#") {
                    if !ids.contains(String(ref.dropFirst())) { problems.append("link to missing id \(ref)") }
                    continue
                }
                // "?verdict=fail" is this page with a query (the index's filter links).
                let path = String(ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
                if path.isEmpty { continue }
                guard let baseDirectory else { continue }
                let target = baseDirectory.appendingPathComponent(path).standardizedFileURL.path
                if !FileManager.default.fileExists(atPath: target) { problems.append("\(key)=\(ref) does not resolve (\(target))") }
            }
        }
        // No network anywhere: only the SVG namespace URI may contain a scheme.
        let stripped = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for scheme in ["http://", "https://", "url(", "@import"] where stripped.contains(scheme) {
            problems.append("page contains '\(scheme)'")
        }
    }
}
