/// Lane-wise min/max and unaligned loads/stores for the vector kernels.
///
/// The standard library's `pointwiseMin`/`pointwiseMax` are generic; in large kernels the
/// optimiser keeps their specialisations as out-of-line calls, and because every vector
/// register is caller-saved that spilled the whole working set around each call (the 3×3
/// median ran 20× slower). These concrete, always-inlined versions compile to one
/// `pminub`/`pmaxub` each. `@_transparent` rather than `@inline(__always)`: the latter was
/// not honoured inside the closures of the kernels.
@_transparent
func vmin(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> { b.replacing(with: a, where: a .< b) }

@_transparent
func vmax(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> { b.replacing(with: a, where: a .> b) }

@_transparent
func loadVector(_ p: UnsafePointer<UInt8>) -> SIMD16<UInt8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
}

@_transparent
func storeVector(_ v: SIMD16<UInt8>, _ p: UnsafeMutablePointer<UInt8>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<UInt8>.self)
}

@_transparent
func loadVector8(_ p: UnsafePointer<UInt16>) -> SIMD8<UInt16> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
}

@_transparent
func storeVector8(_ v: SIMD8<UInt16>, _ p: UnsafeMutablePointer<UInt16>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<UInt16>.self)
}
