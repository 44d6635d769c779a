import Foundation
import SonoInput
import SonoTestSupport
import Testing
@testable import SonoChecks

/// ReportJSONWriter must write exactly what Foundation's JSONEncoder writes with the report options.
@Suite("Report JSON writer")
struct ReportJSONWriterTests {
    static func foundation<T: Encodable>(_ value: T, pretty: Bool) throws -> [UInt8] {
        [UInt8](try ReportJSON.foundationEncoder(pretty: pretty).encode(value))
    }

    static func expectSameBytes<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for pretty in [true, false] {
            let ours = try #require(ReportJSONWriter.encode(value, pretty: pretty), sourceLocation: sourceLocation)
            let theirs = try foundation(value, pretty: pretty)
            #expect(ours == theirs, "pretty \(pretty):\n\(String(decoding: ours, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))",
                    sourceLocation: sourceLocation)
        }
    }

    enum Kind: String, Codable { case alpha, beta }

    struct Inner: Codable {
        var label: String
        var values: [Double]
        var empty: [Int] = []
        var nothing: [String: Int] = [:]
    }

    struct Everything: Codable {
        var strings = ["plain", "quote \" backslash \\ slash / path/to/file", "tab\tnewline\nreturn\rback\u{08}feed\u{0C}",
                       "\u{00}\u{01}\u{1F}\u{7F}", "中文 报告 é ü 🩻", ""]
        var doubles = [0, -0.0, 1, -1, 0.1, 2.5, 1e-7, 123_456_789.125, 1e21, 1e22, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.0 / 3]
        var floats: [Float] = [0, 1, 0.1, 3.4e38, 1e-7]
        var integers = [0, 1, -1, Int.max, Int.min]
        var small: [Int8] = [-128, 127]
        var unsigned: [UInt64] = [0, .max]
        var unsignedSmall: UInt16 = 65_535
        var flags = [true, false]
        var optionalAbsent: Int? = nil
        var optionalPresent: Double? = 4.0
        var nestedOptionals: [Int?] = [1, nil, 3]
        var kind = Kind.beta
        var byName = ["b": 1, "a": 2, "B": 3, "aa": 4, "é": 5, "10": 6, "9": 7, "": 8, "a/b": 9, "\"q\"": 10]
        var byNumber = [3: "c", 1: "a", 20: "t"]
        var grid = [[1, 2], [], [3]]
        var inner = Inner(label: "x", values: [1.5, 2])
        var inners = [Inner(label: "y", values: []), Inner(label: "z", values: [0.25])]
        var emptyObjects: [[String: Int]] = [[:], ["k": 1]]
        var url = URL(string: "https://example.org/a b?x=1")
    }

    /// Keys written by hand, out of order, with nested containers and a repeated key.
    struct HandWritten: Encodable {
        enum Keys: String, CodingKey { case zeta, alpha, list, nested, single }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(1, forKey: .zeta)
            try c.encode("first", forKey: .alpha)
            try c.encode("second", forKey: .alpha)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1.5)
            try list.encodeNil()
            var deeper = list.nestedContainer(keyedBy: Keys.self)
            try deeper.encode(true, forKey: .single)
            var nested = c.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encodeNil(forKey: .zeta)
            var again = encoder.container(keyedBy: Keys.self)
            try again.encode([String](), forKey: .single)
        }
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test("edge-case values: the same bytes as Foundation, pretty and on one line")
    func edgeCases() throws {
        try Self.expectSameBytes(Everything())
        try Self.expectSameBytes(HandWritten())
        try Self.expectSameBytes([Nothing(), Nothing()])
        try Self.expectSameBytes("top-level string")
        try Self.expectSameBytes(2.0)
        try Self.expectSameBytes([String: [Double]]())
    }

    @Test("a real scan report and the default QC profile: the same bytes as Foundation")
    func realDocuments() throws {
        let golden = try Data(contentsOf: Repository.path("Tests/SonoReportsTests/Fixtures/golden/sample-scan.report.json"))
        let report = try JSONDecoder().decode(ScanReport.self, from: golden)
        try Self.expectSameBytes(report)
        try Self.expectSameBytes(QCProfile.default)
        // And the committed report is what ReportJSON writes for it.
        #expect(try ReportJSON.encode(report) == golden)
    }

    struct Dated: Encodable { var when = Date(timeIntervalSince1970: 1_000_000) }
    struct Blob: Encodable { var bytes = Data([1, 2, 3]) }

    /// A subclass-style encoding through `superEncoder`, keyed and unkeyed.
    struct Inherited: Encodable {
        enum Keys: String, CodingKey { case own, base, list }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(1, forKey: .own)
            try 2.encode(to: c.superEncoder())
            try 3.encode(to: c.superEncoder(forKey: .base))
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try 4.encode(to: list.superEncoder())
        }
    }
    struct NotANumber: Encodable { var value = Double.nan }

    @Test("what the writer does not mirror goes to Foundation: dates, data, superEncoder, non-finite numbers")
    func fallsBackToFoundation() throws {
        #expect(ReportJSONWriter.encode(Inherited(), pretty: true) == nil)
        #expect([UInt8](try ReportJSON.encode(Inherited())) == (try Self.foundation(Inherited(), pretty: true)) + [0x0A])
        #expect(ReportJSONWriter.encode(Dated(), pretty: true) == nil)
        #expect(ReportJSONWriter.encode(Blob(), pretty: false) == nil)
        #expect(ReportJSONWriter.encode(NotANumber(), pretty: true) == nil)
        #expect([UInt8](try ReportJSON.encode(Dated())) == (try Self.foundation(Dated(), pretty: true)) + [0x0A])
        #expect([UInt8](try ReportJSON.line(Blob())) == (try Self.foundation(Blob(), pretty: false)))
        #expect(throws: EncodingError.self) { try ReportJSON.encode(NotANumber()) }
    }
}
