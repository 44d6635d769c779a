import Foundation
import SonoCore
import Testing

@Suite("CSV, civil dates, file names and SHA-256")
struct CSVAndDateTests {
    /// FuzzManifestCSV's first crash: a double quote followed by a combining mark (U+0592) is one
    /// Swift Character, and the writer's Character-level quote doubling missed it, so the record
    /// did not read back. The fuzzer's input is committed in Fuzz/corpus/manifest-csv as well.
    @Test func quoteFollowedByACombiningMarkRoundTrips() {
        let fuzzInput: [UInt8] = [0x73, 0x30, 0x63, 0x61, 0x6e, 0x5f, 0x22, 0x22, 0x22, 0x22, 0x08, 0x08, 0x22, 0x22,
                                  0x22, 0xd6, 0x92, 0xa0, 0x9b, 0x65, 0x2c, 0x35, 0x08, 0x08, 0x78]
        for text in ["\"\u{0592}", "a\"\u{0301}b", String(decoding: fuzzInput, as: UTF8.self)] {
            for row in CSV.parse(text) {
                let reread = CSV.parse(CSV.record(row.fields)).map(\.fields)
                #expect(reread.count == 1, "\(row.fields)")
                #expect(reread.first?.count == row.fields.count, "\(row.fields) -> \(reread)")
            }
        }
        #expect(CSV.parse(CSV.record(["\"\u{0592}"]))[0].fields == ["\"\u{0592}"])
    }

    @Test func fieldsWithCommaQuoteCRLFAreQuotedAndReadBackUnchanged() {
        let hostile = ["plain", "a,b", "say \"hi\"", "line\rbreak", "crlf\r\nrow", "lf\nrow", ""]
        let text = CSV.record(hostile) + CSV.record(["next"])
        let rows = CSV.parse(text)
        #expect(rows.count == 2)
        #expect(rows[0].fields == hostile)
        #expect(rows[1].fields == ["next"])
        #expect(rows[1].line == 5)
    }

    @Test func nulAndOtherControlsNeverReachTheOutputRaw() {
        let field = CSV.field("a\u{0}b\u{1B}c\td")
        #expect(!field.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" })
        #expect(field == "a\u{FFFD}b\u{FFFD}c\td")
    }

    @Test func headerReportsRepeatedColumnsInsteadOfTrapping() {
        let header = CSV.Header(CSV.parse("scan_id, Scan_ID ,file,file\n")[0])
        #expect(header.duplicates.map(\.name) == ["scan_id", "file"])
        #expect(header.duplicates.map(\.repeated) == [2, 4])
        #expect(header.index["file"] == 2)
    }

    @Test func parserHandlesBOMCRLFAndUnterminatedQuote() {
        let rows = CSV.parse("\u{FEFF}a,b\r\n1,\"x\r\ny\"\r\n2,\"open")
        #expect(rows.map(\.fields) == [["a", "b"], ["1", "x\r\ny"], ["2", "open"]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func civilDatesAreStrictAndRoundTrip() {
        #expect(CivilDate(parsing: "2024-02-29")?.dayNumber == 19_782)
        for bad in ["+123-01-01", "2023-02-29", "2024-1-05", "20240105", "2024-13-01", "-001-01-01", "２０２４-01-01", " 2024-01-01"] {
            #expect(CivilDate(parsing: bad) == nil, "\(bad)")
        }
        #expect(CivilDate(parsing: "0123-01-01")?.isPlausible == false)
        for day in stride(from: -800_000, to: 800_000, by: 997) {
            let date = CivilDate(dayNumber: day)
            #expect(date.dayNumber == day)
            #expect(CivilDate(parsing: date.description) == date || date.year < 0 || date.year > 9999)
        }
    }

    @Test func runDateFollowsSourceDateEpochElseTheClockInUTC() {
        let now = Date(timeIntervalSince1970: 1_764_547_199)  // 2025-11-30T23:59:59Z
        #expect(CivilDate.runDate(environment: [:], now: now).description == "2025-11-30")
        #expect(CivilDate.runDate(environment: ["SOURCE_DATE_EPOCH": "1767225600"], now: now).description == "2026-01-01")
        // Not a plausible time: the clock decides, the run never fails on it.
        for bad in ["", "abc", "-5", "99999999999999999999", "1767225600.5"] {
            #expect(CivilDate.runDate(environment: ["SOURCE_DATE_EPOCH": bad], now: now).description == "2025-11-30", "\(bad)")
        }
    }

    @Test func printableFileNamesAreLosslessForAnyBytes() {
        let latin1: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".png".utf8)
        #expect(FileName.printable(latin1) == "caf\\xe9.png")
        #expect(FileName.bytes(ofPrintable: FileName.printable(latin1)) == latin1)
        #expect(FileName.printable(Array("plain é.png".utf8)) == "plain é.png")
        // A valid name that looks like an escape stays distinguishable from the escaped byte.
        let literal = Array("caf\\xe9.png".utf8)
        #expect(FileName.printable(literal) != FileName.printable(latin1))
        #expect(FileName.bytes(ofPrintable: FileName.printable(literal)) == literal)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 1...12, using: &generator)).map { _ in UInt8.random(in: 1...255, using: &generator) }
            #expect(FileName.bytes(ofPrintable: FileName.printable(bytes)) == bytes)
        }
    }

    @Test func safeComponentsNeverCollideHideOrOverflow() {
        let names = ["a+b", "a_b", "a b", "a_b_2", "...", ".", "..", ".hidden", "_hidden", "", "Ünïcode", "a/b",
                     String(repeating: "x", count: 239), String(repeating: "x", count: 240), String(repeating: "é", count: 50_000)]
        let safe = names.map(FileName.safeComponent)
        #expect(Set(safe).count == names.count)
        for s in safe {
            #expect(!s.hasPrefix(".") && !s.isEmpty && s.utf8.count <= FileName.maxSafeComponentBytes && !s.contains("/"))
            #expect(FileName.safeComponent(s) == s)
        }
        #expect(FileName.safeComponent("a_b") == "a_b")
    }
}
