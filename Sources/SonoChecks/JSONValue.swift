package import Foundation

/// A JSON document as a value: used for the report's JSON Schema and for validating documents
/// against it without a third-party library.
package indirect enum JSONValue: Sendable, Hashable, Codable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .double(d): try c.encode(d)
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    package subscript(key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    package static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }
}

/// Validates a document against the subset of JSON Schema (2020-12) that SonoQC's schemas use:
/// `type`, `properties`, `required`, `additionalProperties: false`, `items`, `enum`, `const`,
/// `minimum`, `maximum`, `pattern`, `minItems` and local `$ref` to `#/$defs/…`. Any other keyword in
/// a schema is reported as unsupported, so the validator cannot silently accept what it ignores.
package struct JSONSchemaValidator: Sendable {
    package let schema: JSONValue

    package init(schema: JSONValue) { self.schema = schema }

    static let supported: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum",
                                         "maximum", "pattern", "minItems", "$ref", "$defs", "$schema", "$id", "title", "description"]

    /// Every violation as `"<path>: <problem>"`; empty when the document is valid.
    package func validate(_ document: JSONValue) -> [String] {
        var errors: [String] = []
        check(document, against: schema, path: "$", errors: &errors)
        return errors
    }

    private func resolve(_ s: JSONValue) -> JSONValue? {
        guard case let .string(ref)? = s["$ref"] else { return s }
        let prefix = "#/$defs/"
        guard ref.hasPrefix(prefix), let target = schema["$defs"]?[String(ref.dropFirst(prefix.count))] else { return nil }
        return target
    }

    private func check(_ value: JSONValue, against raw: JSONValue, path: String, errors: inout [String]) {
        guard let s = resolve(raw), case let .object(keywords) = s else {
            errors.append("\(path): unresolvable schema \(raw)")
            return
        }
        for key in keywords.keys where !Self.supported.contains(key) { errors.append("\(path): unsupported schema keyword \(key)") }
        if let t = s["type"] {
            let allowed: [String]
            switch t {
            case let .string(one): allowed = [one]
            case let .array(many): allowed = many.compactMap { if case let .string(x) = $0 { x } else { nil } }
            default: allowed = []
            }
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                errors.append("\(path): expected \(allowed.joined(separator: " or ")), found \(Self.typeName(value))")
                return
            }
        }
        if case let .array(options)? = s["enum"], !options.contains(where: { Self.equal($0, value) }) {
            errors.append("\(path): \(value) is not one of the allowed values")
        }
        if let c = s["const"], !Self.equal(c, value) { errors.append("\(path): expected \(c), found \(value)") }
        if let n = Self.number(value) {
            if let min = s["minimum"].flatMap(Self.number), n < min { errors.append("\(path): \(n) < minimum \(min)") }
            if let max = s["maximum"].flatMap(Self.number), n > max { errors.append("\(path): \(n) > maximum \(max)") }
        }
        if case let .string(str) = value, case let .string(pattern)? = s["pattern"] {
            if str.range(of: pattern, options: .regularExpression) == nil { errors.append("\(path): \"\(str)\" does not match \(pattern)") }
        }
        if case let .object(obj) = value {
            let props: [String: JSONValue]
            if case let .object(p)? = s["properties"] { props = p } else { props = [:] }
            if case let .array(req)? = s["required"] {
                for case let .string(k) in req where obj[k] == nil { errors.append("\(path): missing required property \(k)") }
            }
            for key in obj.keys.sorted() {
                if let sub = props[key] {
                    check(obj[key]!, against: sub, path: "\(path).\(key)", errors: &errors)
                } else if case .bool(false)? = s["additionalProperties"] {
                    errors.append("\(path): unexpected property \(key)")
                }
            }
        }
        if case let .array(items) = value {
            if let min = s["minItems"].flatMap(Self.number), Double(items.count) < min { errors.append("\(path): fewer than \(min) items") }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { check(item, against: itemSchema, path: "\(path)[\(i)]", errors: &errors) }
            }
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case let .int(i): Double(i)
        case let .double(d): d
        default: nil
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }

    static func matches(_ v: JSONValue, type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .int), ("number", .double), ("integer", .int): true
        case let ("integer", .double(d)): d == d.rounded()
        default: false
        }
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
