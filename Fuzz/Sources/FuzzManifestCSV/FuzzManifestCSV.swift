import SonoChecks
import SonoCore

// Manifest CSV: the RFC 4180 reader, header handling and every semantic check; the CSV writer
// must round-trip whatever the reader accepted, up to the one change it makes on purpose (C0
// controls other than TAB, CR, LF, and DEL become U+FFFD).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let rows = CSV.parse(text)
    let written = rows.map { CSV.record($0.fields) }.joined()
    let reread = CSV.parse(written).map(\.fields)
    let cleaned = rows.map { row in row.fields.map(writerCleaned) }
    // A written text that starts with U+FEFF loses it as a BOM on reading: not a writer fault.
    let startsWithBOM = written.unicodeScalars.first == "\u{FEFF}"
    if reread != cleaned && !(rows.count == 1 && rows[0].fields == [""]) && !startsWithBOM {
        fatalError("CSV writer did not round-trip: \(rows.map(\.fields)) -> \(reread)")
    }
    _ = try? ManifestLoader.parseCSV(text, path: "fuzz.csv")
    return 0
}

private func writerCleaned(_ field: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in field.unicodeScalars {
        let control = (scalar.value < 0x20 && scalar != "\t" && scalar != "\r" && scalar != "\n") || scalar.value == 0x7F
        out.append(control ? "\u{FFFD}" : scalar)
    }
    return String(out)
}
