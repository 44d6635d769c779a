import SonoChecks
import SonoCore

// Manifest CSV: the RFC 4180 reader, header handling and every semantic check; the CSV writer
// must round-trip whatever the reader accepted.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let rows = CSV.parse(text)
    let written = rows.map { CSV.record($0.fields) }.joined()
    let reread = CSV.parse(written).map(\.fields)
    let cleaned = rows.map { row in row.fields.map { CSV.parse(CSV.record([$0]))[0].fields[0] } }
    if reread != cleaned && !(rows.count == 1 && rows[0].fields == [""]) {
        fatalError("CSV writer did not round-trip: \(rows.map(\.fields)) -> \(reread)")
    }
    _ = try? ManifestLoader.parseCSV(text, path: "fuzz.csv")
    return 0
}
