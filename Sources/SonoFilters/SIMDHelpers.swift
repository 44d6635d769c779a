/// Unaligned loads and stores of 16-bit vectors for the 8-bit Gaussian's horizontal pass.
@_transparent
func loadVector8(_ p: UnsafePointer<UInt16>) -> SIMD8<UInt16> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
}

@_transparent
func storeVector8(_ v: SIMD8<UInt16>, _ p: UnsafeMutablePointer<UInt16>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<UInt16>.self)
}
