import SonoCore
import Testing

@Suite("Non-zero bytes")
struct NonZeroBytesTests {
    @Test("visits exactly the non-zero bytes in ascending order, at every length and alignment")
    func visitsEveryNonZeroByte() {
        var generator = SplitMix64(seed: 7)
        for count in Array(0...40) + [1_000, 4_099] {
            for density in [0.0, 0.02, 0.5, 1.0] {
                let bytes = (0..<count).map { _ in Double.random(in: 0..<1, using: &generator) < density ? UInt8.random(in: 1...255, using: &generator) : 0 }
                var visited: [Int] = []
                bytes.withUnsafeBufferPointer { forEachNonZeroByte(in: $0) { visited.append($0) } }
                #expect(visited == bytes.indices.filter { bytes[$0] != 0 }, "\(count) bytes, density \(density)")
                // From an odd offset too, so 8-byte words straddle the buffer's start.
                guard count > 1 else { continue }
                var shifted: [Int] = []
                bytes.withUnsafeBufferPointer { forEachNonZeroByte(in: UnsafeBufferPointer(rebasing: $0[1...])) { shifted.append($0 + 1) } }
                #expect(shifted == bytes.indices.dropFirst().filter { bytes[$0] != 0 })
            }
        }
    }
}
