/// Calls `body` with the index of every non-zero byte of `bytes`, in ascending order, skipping
/// eight zero bytes at a time.
///
/// For sparse masks (overlay candidates, kept overlay components: a few hundred set pixels in a
/// 432,000-pixel frame) a byte-by-byte scan with a branch per pixel cost more than the work done on
/// the set pixels.
@inlinable
package func forEachNonZeroByte(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Int) throws -> Void) rethrows {
    guard let base = bytes.baseAddress else { return }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i < bytes.count {
        if i + 8 <= bytes.count, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 {
            i += 8
            continue
        }
        if base[i] != 0 { try body(i) }
        i += 1
    }
}
