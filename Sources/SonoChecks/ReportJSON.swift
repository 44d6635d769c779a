package import Foundation

/// The one JSON encoding used for reports and profiles: sorted keys, two-space pretty printing,
/// unescaped slashes, a final newline. Numbers are rounded when they enter a report
/// (``JSONNumber``), so the bytes are identical across runs, thread counts and machines.
package enum ReportJSON {
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    package static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
