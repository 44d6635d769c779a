import Foundation

/// Text for people in the languages SonoQC writes pages in, looked up in one catalogue per
/// language (`Resources/<language>.json`, flat `"key": "text"` objects a translator edits without
/// Swift). Messages with numbers use named placeholders, never concatenation:
///
/// - `{name}`: a text argument as given, or a number with at most 4 decimals, no trailing zeros;
/// - `{name:N}`: a number rounded to N decimals, trailing zeros dropped (`12.30` → `12.3`);
/// - `{name:ga}`: a gestational age given in days ("20+3 weeks" / "20周+3天");
/// - `{name:term}`: a text argument naming a term that is itself translated (`term.<value>`);
/// - `{name:msg}`: a text argument holding another key, rendered with the same arguments.
///
/// Numbers always use a decimal point and never pass through a locale-aware formatter, so pages
/// are byte-identical across machines.
package enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case en
    case zhCN = "zh-CN"
}

/// One argument of a ``Message``: a number (formatted by the placeholder) or verbatim text
/// (file names, identifiers, decoder errors). Encoded in JSON as a plain number or string.
package enum MessageArg: Sendable, Hashable, Codable {
    case number(Double)
    case text(String)

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .number(v) } else { self = .text(try c.decode(String.self)) }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .number(v): try c.encode(v)
        case let .text(t): try c.encode(t)
        }
    }
}

/// A catalogue key with its arguments: language-neutral, so it is what reports store.
package struct Message: Sendable, Hashable, Codable {
    package var key: String
    package var args: [String: MessageArg]

    package init(_ key: String, _ args: [String: MessageArg] = [:]) {
        self.key = key
        self.args = args
    }

    enum CodingKeys: String, CodingKey { case key, args }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        args = try c.decodeIfPresent([String: MessageArg].self, forKey: .args) ?? [:]
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        if !args.isEmpty { try c.encode(args, forKey: .args) }
    }
}

/// A parsed catalogue: key → template.
package struct Catalogue: Sendable {
    package let language: Language
    package let entries: [String: String]
    /// Every template cut at its placeholders, once: a page renders hundreds of messages, and
    /// finding the placeholders again in each was 2 % of `analyze`'s perf samples.
    let templates: [String: Template]

    /// Parses a flat JSON object of strings. Throws a ``CatalogueError`` naming the language.
    package init(language: Language, json: [UInt8]) throws(CatalogueError) {
        let entries: [String: String]
        do {
            entries = try JSONDecoder().decode([String: String].self, from: Data(json))
        } catch {
            throw CatalogueError(language: language.rawValue, reason: "not a flat JSON object of strings (\(error))")
        }
        self.init(language: language, entries: entries)
    }

    /// The catalogues built into the binary (embedded at build time, so no resource bundle
    /// has to travel with the executable).
    package static let builtIn: [Language: Catalogue] = {
        var out: [Language: Catalogue] = [:]
        for language in Language.allCases {
            // A malformed built-in catalogue is caught by the catalogue tests; at run time the
            // pages then show keys instead of crashing.
            out[language] = (try? Catalogue(language: language, json: Catalogue.embeddedBytes(language)))
                ?? Catalogue(language: language, entries: [:])
        }
        return out
    }()

    init(language: Language, entries: [String: String]) {
        self.language = language
        self.entries = entries
        templates = entries.mapValues(Template.init)
    }

    package static func embeddedBytes(_ language: Language) -> [UInt8] {
        switch language {
        case .en: PackageResources.en_json
        case .zhCN: PackageResources.zh_CN_json
        }
    }
}

package struct CatalogueError: Error, Equatable, CustomStringConvertible {
    package var language: String
    package var reason: String
    package var description: String { "catalogue \(language).json: \(reason)" }
}

/// A template as literal runs and placeholders, in order.
struct Template: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case placeholder(name: String, format: String?)
    }

    let segments: [Segment]

    /// A placeholder is the text from a "{" to the next "}", as "name" or "name:format"; "{}" (no
    /// name) stays literal text. Literal runs are found on the UTF-8 view and kept whole.
    init(_ template: String) {
        let bytes = template.utf8
        var segments: [Segment] = []
        var literalStart = template.startIndex
        var searchFrom = template.startIndex
        while let open = bytes[searchFrom...].firstIndex(of: UInt8(ascii: "{")),
              let close = bytes[open...].firstIndex(of: UInt8(ascii: "}")) {
            let parts = template[bytes.index(after: open)..<close].split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = parts.first else {
                searchFrom = bytes.index(after: open)
                continue
            }
            segments.append(.literal(String(template[literalStart..<open])))
            segments.append(.placeholder(name: name, format: parts.count > 1 ? parts[1] : nil))
            literalStart = bytes.index(after: close)
            searchFrom = literalStart
        }
        segments.append(.literal(String(template[literalStart...])))
        self.segments = segments
    }
}

/// Formats catalogue messages in one language.
package struct Localizer: Sendable {
    package let language: Language
    let catalogue: Catalogue

    package init(_ language: Language) {
        self.language = language
        catalogue = Catalogue.builtIn[language] ?? Catalogue(language: language, entries: [:])
    }

    package static let en = Localizer(.en)

    /// The template of `key`; a missing key shows as itself so the gap is visible (the catalogue
    /// tests fail on it before it ships).
    package func template(_ key: String) -> String { catalogue.entries[key] ?? key }

    package func has(_ key: String) -> Bool { catalogue.entries[key] != nil }

    /// Every template whose key starts with `prefix`, by key: for pages whose script fills in
    /// messages that arrive as keys (the upload page's manifest issues).
    package func templates(withPrefix prefix: String) -> [String: String] {
        catalogue.entries.filter { $0.key.hasPrefix(prefix) }
    }

    /// `key` with its placeholders filled.
    package func text(_ key: String, _ args: [String: MessageArg] = [:]) -> String {
        render(catalogue.templates[key] ?? Template(key), args, escape: { $0 }, raw: [:])
    }

    package func text(_ message: Message) -> String { text(message.key, message.args) }

    /// `key.one` when `count` is 1, else `key.other`; `count` is also the `{count}` argument.
    package func plural(_ key: String, count: Int, _ args: [String: MessageArg] = [:]) -> String {
        var args = args
        args["count"] = .number(Double(count))
        return text(key + (count == 1 ? ".one" : ".other"), args)
    }

    /// Like ``text(_:_:)`` but with the template and text arguments passed through `escape`
    /// and `raw` arguments (already-escaped markup) inserted as they are.
    package func render(_ template: String, _ args: [String: MessageArg], escape: (String) -> String,
                       raw: [String: String]) -> String {
        render(Template(template), args, escape: escape, raw: raw)
    }

    func render(_ template: Template, _ args: [String: MessageArg], escape: (String) -> String,
                raw: [String: String]) -> String {
        var out = ""
        for segment in template.segments {
            switch segment {
            case .literal(let text):
                out += escape(text)
            case let .placeholder(name, format):
                if let html = raw[name] {
                    out += html
                } else {
                    out += escape(value(args[name], format: format, name: name, args: args))
                }
            }
        }
        return out
    }

    func value(_ arg: MessageArg?, format: String?, name: String, args: [String: MessageArg]) -> String {
        guard let arg else { return "{\(name)}" }
        switch (arg, format) {
        case let (.number(v), "ga"?): return gestationalAge(days: Int(v.rounded()))
        case let (.number(v), digits?): return Self.number(v, decimals: Int(digits) ?? 4)
        case let (.number(v), nil): return Self.number(v, decimals: 4)
        case let (.text(t), "term"?): return text("term." + t)
        case let (.text(t), "msg"?): return text(t, args)
        case let (.text(t), _): return t
        }
    }

    /// Gestational age of `days` as "20+3 weeks" (en) or "20周+3天" (zh-CN).
    package func gestationalAge(days: Int) -> String {
        text("ga.weeks_days", ["weeks": .number(Double(days / 7)), "days": .number(Double(days % 7))])
    }

    /// Gestational age in exact weeks, rounded to whole days.
    package func gestationalAge(weeks: Double) -> String { gestationalAge(days: Int((weeks * 7).rounded())) }

    /// At most `decimals` decimals, no trailing zeros, no negative zero ("12.3", "7", "0.0042").
    package static func number(_ value: Double, decimals: Int = 4) -> String {
        guard value.isFinite else { return "\(value)" }
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let r = (value * p).rounded() / p
        if r == 0 { return "0" }
        if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
        return "\(r)"
    }

    /// The placeholders of a template with their formats ("hc_mm:1"), for the catalogue tests.
    package static func placeholders(_ template: String) -> Set<String> {
        var out = Set<String>()
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }
}
