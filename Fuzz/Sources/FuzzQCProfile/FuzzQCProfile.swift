import Foundation
import SonoChecks

// QC profiles (JSON thresholds a site supplies with --qc-profile).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQCProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? QCProfile.decode(Data(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.json")
    return 0
}
