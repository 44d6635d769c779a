package import Foundation

/// The one JSON encoding used for reports and profiles: sorted keys, two-space pretty printing,
/// unescaped slashes, a final newline. Numbers are rounded when they enter a report
/// (``JSONNumber``), so the bytes are identical across runs, thread counts and machines.
/// ``ReportJSONWriter`` writes Foundation's bytes faster; what it does not mirror goes to
/// Foundation's `JSONEncoder` itself.
package enum ReportJSON {
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        if var bytes = ReportJSONWriter.encode(value, pretty: true) {
            bytes.append(0x0A)
            return Data(bytes)
        }
        var data = try foundationEncoder(pretty: true).encode(value)
        data.append(0x0A)
        return data
    }

    /// One line: the same keys and numbers without the pretty printing, and without a newline
    /// (`images.jsonl`, `timing.json`).
    package static func line<T: Encodable>(_ value: T) throws -> Data {
        if let bytes = ReportJSONWriter.encode(value, pretty: false) { return Data(bytes) }
        return try foundationEncoder(pretty: false).encode(value)
    }

    static func foundationEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    package static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
