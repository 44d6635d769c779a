import Foundation
import SonoCore
import Testing

@Suite("Ordered parallel map")
struct OrderedParallelMapTests {
    /// Work whose length varies with the index, so workers finish out of order.
    static func uneven(_ i: Int) -> UInt64 {
        var x = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
        for _ in 0..<((i * 7919) % 2_000) { x = x &* 6_364_136_223_846_793_005 &+ 1 }
        return x
    }

    @Test("returns body(i) in index order for any worker count", arguments: [0, 1, 2, 3, 1_000])
    func indexOrder(count: Int) {
        let expected = (0..<count).map(Self.uneven)
        for workers in [1, 2, 4, 8] {
            #expect(orderedParallelMap(count: count, workers: workers, Self.uneven) == expected, "\(workers) workers")
        }
    }

    @Test("calls the body exactly once per index")
    func eachIndexOnce() {
        let calls = CallCounter(count: 500)
        _ = orderedParallelMap(count: 500, workers: 4) { i in calls.record(i) }
        #expect(calls.counts == Array(repeating: 1, count: 500))
    }
}

// @unchecked: `counts` is read and written only under `lock`.
private final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]

    init(count: Int) { storage = Array(repeating: 0, count: count) }

    func record(_ i: Int) { lock.withLock { storage[i] += 1 } }

    var counts: [Int] { lock.withLock { storage } }
}
