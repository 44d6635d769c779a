/// Calls `body` with the index of every non-zero byte of `bytes`, in ascending order, skipping
/// 32 zero bytes at a time and jumping straight to the set bytes of a word.
///
/// For sparse masks (overlay candidates, kept overlay components: a few hundred set pixels in a
/// 432,000-pixel frame) a byte-by-byte scan with a branch per pixel cost more than the work done on
/// the set pixels; so did the byte-by-byte walk through every word holding a set byte, once the
/// skipping of zero words was cheap (a row of a grey bar sets whole words).
@inlinable
package func forEachNonZeroByte(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Int) throws -> Void) rethrows {
    guard let base = bytes.baseAddress else { return }
    let raw = UnsafeRawPointer(base), n = bytes.count
    @inline(__always) func word(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    // One call site for `body`: the scan's three cases only decide which bytes' high bits to walk.
    var i = 0
    while i < n {
        if i + 32 <= n, word(i) | word(i + 8) | word(i + 16) | word(i + 24) == 0 {
            i += 32
            continue
        }
        let start = i
        var set: UInt64
        if i + 8 <= n {
            set = nonZeroByteHighBits(word(i))
            i += 8
        } else {
            set = base[i] != 0 ? 0x80 : 0
            i += 1
        }
        while set != 0 {
            try body(start + set.trailingZeroBitCount >> 3)
            set &= set &- 1
        }
    }
}

/// The high bit of every non-zero byte of `word` (a little-endian byte order's word, so byte `k`
/// is bits `8k ..< 8k + 8`): adding 0x7F to a byte's low seven bits carries into its high bit
/// exactly when they are not all zero, and a byte whose high bit is set is non-zero anyway. No
/// carry crosses into the next byte (0x7F + 0x7F < 0x100).
@inlinable
package func nonZeroByteHighBits(_ word: UInt64) -> UInt64 {
    let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    return (((word & low) &+ low) | word) & 0x8080_8080_8080_8080
}
