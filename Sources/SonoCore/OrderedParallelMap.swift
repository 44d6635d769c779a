import Dispatch
import Foundation

/// `body(0)`, …, `body(count − 1)` on up to `workers` threads (Dispatch's `concurrentPerform`,
/// indices handed to whichever thread asks next), results in index order: the output does not
/// depend on scheduling. With one worker or fewer than two items everything runs in order on the
/// calling thread.
package func orderedParallelMap<T: Sendable>(count: Int, workers: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard workers > 1, count > 1 else { return (0..<count).map(body) }
    let results = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
        while let i = results.takeIndex() { results.store(body(i), at: i) }
    }
    // Every index was taken and stored before concurrentPerform returned.
    return results.values.map { $0! }
}

/// Per-index result storage shared by the workers; each slot is written once.
// @unchecked: `slots` and `next` are read and written only under `lock`.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value?]
    private var next = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Hands out indices 0, 1, 2, … to whichever worker asks next; nil when all are taken.
    func takeIndex() -> Int? {
        lock.withLock {
            guard next < slots.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func store(_ value: Value, at index: Int) {
        lock.withLock { slots[index] = value }
    }

    var values: [Value?] { lock.withLock { slots } }
}
