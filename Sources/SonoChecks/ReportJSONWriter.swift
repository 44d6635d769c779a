import Foundation

/// The bytes Foundation's `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]` (and
/// `.prettyPrinted` when `pretty`), made without it: Foundation's encoder was 4.6 % of the perf
/// samples of `perf record -g sonoqc analyze /tmp/fr --jobs 1 --no-html` (200 HC18 frames, one scan
/// each), this writer's whole `ReportJSON.encode` 3.3 %. Same rules: keys
/// in the order of their UTF-8 bytes, a floating-point number as its `description` without a final
/// ".0", integers as `description`, `"`, `\`, and control characters escaped as Foundation escapes
/// them, `" : "` and two-space indents when pretty (an empty container still gets its blank line).
///
/// Only the encoder's default strategies are mirrored. A value that needs anything else (`Date`,
/// `Data` or `Decimal`, which Foundation special-cases; `superEncoder`; a non-finite number, which
/// Foundation reports with its coding path) makes ``encode(_:pretty:)`` return nil, and the caller
/// hands the value to Foundation instead (``ReportJSON``). `ReportJSONWriterTests` hold the two
/// encoders to the same bytes.
///
/// `codingPath` is always empty: no report type reads it, and keeping it would cost an array per
/// container; Foundation's error messages, the only users of the path, come from the fallback.
enum ReportJSONWriter {
    static func encode<T: Encodable>(_ value: T, pretty: Bool) -> [UInt8]? {
        let state = State()
        let encoder = NodeEncoder(state: state)
        guard (try? value.encode(to: encoder)) != nil, !state.unsupported, let root = encoder.node else { return nil }
        var out: [UInt8] = []
        write(root, into: &out, pretty: pretty, indent: 0)
        return out
    }

    // MARK: The value tree

    /// Containers are boxes: Codable hands out a container and fills it later. An object's members
    /// in the order they were encoded (a key encoded twice keeps its last value, as in Foundation's
    /// dictionary); sorted when written, which cost less than hashing every key into a dictionary.
    final class Object { var members: [(key: String, value: Node)] = [] }
    final class List { var elements: [Node] = [] }

    enum Node {
        case object(Object), array(List)
        /// The number's JSON text.
        case number(String)
        case string(String), bool(Bool), null
    }

    /// Shared by every encoder of one value: whether something Foundation treats specially was met.
    final class State {
        var unsupported = false

        /// What `superEncoder` hands out: Foundation gives it a coding path of its own, which
        /// this writer does not mirror, so the value goes to Foundation instead.
        func unsupportedEncoder() -> any Encoder {
            unsupported = true
            return NodeEncoder(state: self)
        }
    }

    struct Unsupported: Error {}

    @inline(__always)
    static func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) throws -> Node {
        guard value.isFinite else { throw Unsupported() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    /// A nested value: scalars directly, everything else through its own `encode(to:)`.
    static func node<T: Encodable>(_ value: T, state: State) throws -> Node {
        if T.self == Date.self || T.self == Data.self || T.self == Decimal.self { throw Unsupported() }
        // Foundation writes a URL as its string (metatype tests: a cast per value cost more).
        if T.self == URL.self, let url = value as? URL { return .string(url.absoluteString) }
        let encoder = NodeEncoder(state: state)
        try value.encode(to: encoder)
        // Foundation writes a value that encoded nothing as an empty object.
        return encoder.node ?? .object(Object())
    }

    final class NodeEncoder: Encoder, SingleValueEncodingContainer {
        let state: State
        var node: Node?
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(state: State) { self.state = state }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case let .object(object)? = node { return KeyedEncodingContainer(Keyed(object: object, state: state)) }
            let object = Object()
            node = .object(object)
            return KeyedEncodingContainer(Keyed(object: object, state: state))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case let .array(list)? = node { return Unkeyed(list: list, state: state) }
            let list = List()
            node = .array(list)
            return Unkeyed(list: list, state: state)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { self }

        func encodeNil() throws { node = .null }
        func encode(_ value: Bool) throws { node = .bool(value) }
        func encode(_ value: String) throws { node = .string(value) }
        func encode(_ value: Double) throws { node = try ReportJSONWriter.number(value) }
        func encode(_ value: Float) throws { node = try ReportJSONWriter.number(value) }
        func encode(_ value: Int) throws { node = .number(value.description) }
        func encode(_ value: Int8) throws { node = .number(value.description) }
        func encode(_ value: Int16) throws { node = .number(value.description) }
        func encode(_ value: Int32) throws { node = .number(value.description) }
        func encode(_ value: Int64) throws { node = .number(value.description) }
        func encode(_ value: UInt) throws { node = .number(value.description) }
        func encode(_ value: UInt8) throws { node = .number(value.description) }
        func encode(_ value: UInt16) throws { node = .number(value.description) }
        func encode(_ value: UInt32) throws { node = .number(value.description) }
        func encode(_ value: UInt64) throws { node = .number(value.description) }
        func encode<T: Encodable>(_ value: T) throws { node = try ReportJSONWriter.node(value, state: state) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: Object
        let state: State
        var codingPath: [any CodingKey] { [] }

        private func set(_ value: Node, _ key: Key) {
            let name = key.stringValue
            object.members.append((name, value))
        }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(try ReportJSONWriter.number(value), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { set(try ReportJSONWriter.number(value), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.number(value.description), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            set(try ReportJSONWriter.node(value, state: state), key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                            forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let nested = Object()
            set(.object(nested), key)
            return KeyedEncodingContainer(Keyed<NestedKey>(object: nested, state: state))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested = List()
            set(.array(nested), key)
            return Unkeyed(list: nested, state: state)
        }

        mutating func superEncoder() -> any Encoder { state.unsupportedEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { state.unsupportedEncoder() }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let list: List
        let state: State
        var codingPath: [any CodingKey] { [] }
        var count: Int { list.elements.count }

        private func append(_ value: Node) {
            list.elements.append(value)
        }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(try ReportJSONWriter.number(value)) }
        mutating func encode(_ value: Float) throws { append(try ReportJSONWriter.number(value)) }
        mutating func encode(_ value: Int) throws { append(.number(value.description)) }
        mutating func encode(_ value: Int8) throws { append(.number(value.description)) }
        mutating func encode(_ value: Int16) throws { append(.number(value.description)) }
        mutating func encode(_ value: Int32) throws { append(.number(value.description)) }
        mutating func encode(_ value: Int64) throws { append(.number(value.description)) }
        mutating func encode(_ value: UInt) throws { append(.number(value.description)) }
        mutating func encode(_ value: UInt8) throws { append(.number(value.description)) }
        mutating func encode(_ value: UInt16) throws { append(.number(value.description)) }
        mutating func encode(_ value: UInt32) throws { append(.number(value.description)) }
        mutating func encode(_ value: UInt64) throws { append(.number(value.description)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            append(try ReportJSONWriter.node(value, state: state))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let nested = Object()
            append(.object(nested))
            return KeyedEncodingContainer(Keyed<NestedKey>(object: nested, state: state))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = List()
            append(.array(nested))
            return Unkeyed(list: nested, state: state)
        }

        mutating func superEncoder() -> any Encoder { state.unsupportedEncoder() }
    }

    // MARK: Writing

    static func write(_ node: Node, into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch node {
        case let .string(text): writeString(text, into: &out)
        case let .number(text): out.append(contentsOf: text.utf8)
        case let .bool(value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case let .array(list):
            out.append(UInt8(ascii: "["))
            if pretty { out.append(0x0A) }
            for (i, element) in list.elements.enumerated() {
                if i > 0 {
                    out.append(UInt8(ascii: ","))
                    if pretty { out.append(0x0A) }
                }
                if pretty { writeIndent(indent + 1, into: &out) }
                write(element, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty {
                out.append(0x0A)
                writeIndent(indent, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(object):
            out.append(UInt8(ascii: "{"))
            if pretty {
                out.append(0x0A)
                if !object.members.isEmpty { writeIndent(indent + 1, into: &out) }
            }
            for (i, member) in sortedMembers(object).enumerated() {
                if i > 0 {
                    out.append(UInt8(ascii: ","))
                    if pretty {
                        out.append(0x0A)
                        writeIndent(indent + 1, into: &out)
                    }
                }
                writeString(member.key, into: &out)
                if pretty { out.append(contentsOf: " : ".utf8) } else { out.append(UInt8(ascii: ":")) }
                write(member.value, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty {
                out.append(0x0A)
                writeIndent(indent, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The members by the UTF-8 bytes of their keys, each key once with its last value.
    static func sortedMembers(_ object: Object) -> [(key: String, value: Node)] {
        let members = object.members
        let order = members.indices.sorted { a, b in
            let byKey = compareUTF8(members[a].key, members[b].key)
            return byKey != 0 ? byKey < 0 : a < b
        }
        var sorted: [(key: String, value: Node)] = []
        sorted.reserveCapacity(members.count)
        for (n, i) in order.enumerated() where n + 1 == order.count || members[order[n + 1]].key != members[i].key {
            sorted.append(members[i])
        }
        return sorted
    }

    /// memcmp order of the two strings' UTF-8 bytes (a prefix first).
    static func compareUTF8(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0 {
                    let c = Int(memcmp(x.baseAddress!, y.baseAddress!, common))
                    if c != 0 { return c }
                }
                return x.count - y.count
            }
        }
    }

    static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    static func writeIndent(_ level: Int, into out: inout [UInt8]) {
        var left = 2 * level
        while left > 0 {
            let n = min(left, spaces.count)
            out.append(contentsOf: spaces[0..<n])
            left -= n
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// A quoted string, escaped as Foundation escapes it with `.withoutEscapingSlashes`.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        defer { out.append(UInt8(ascii: "\"")) }
        var text = text
        text.withUTF8 { utf8 in
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                out.append(contentsOf: utf8)
                return
            }
            writeEscaped(utf8, into: &out)
        }
    }

    static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00...0x1F:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
    }
}
