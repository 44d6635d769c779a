import SonoCore
import Testing

@Suite("Non-zero bytes")
struct NonZeroBytesTests {
    @Test("visits exactly the non-zero bytes in ascending order, at every length and alignment")
    func visitsEveryNonZeroByte() {
        var generator = SplitMix64(seed: 7)
        for count in Array(0...72) + [1_000, 4_099] {
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

    @Test("every byte value is seen as set at every place of a word and of a 32-byte block")
    func everyValueEveryPlace() {
        for value in UInt8(1)...255 {
            for place in 0..<40 {
                var bytes = [UInt8](repeating: 0, count: 40)
                bytes[place] = value
                var visited: [Int] = []
                bytes.withUnsafeBufferPointer { forEachNonZeroByte(in: $0) { visited.append($0) } }
                #expect(visited == [place], "value \(value) at \(place)")
            }
        }
        #expect(nonZeroByteHighBits(0x0001_8000_7F00_FF02) == 0x0080_8000_8000_8080)
    }
}
