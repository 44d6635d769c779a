import Foundation
import SonoChecks

// Manifest JSON: decoding plus every semantic check (dates, ages, numbers, ids, duplicates).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let manifest = try? ManifestLoader.decodeJSON(bytes, path: "fuzz.json") {
        // A valid manifest must survive its CSV form.
        _ = try? ManifestLoader.parseCSV(ManifestLoader.csv(manifest), path: "fuzz.csv")
    }
    return 0
}
