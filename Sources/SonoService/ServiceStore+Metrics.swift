import Foundation

extension ServiceStore {
    /// From the batches' states: in a single-process store every committed batch has one job in
    /// the same state. ``PostgresStore`` counts its job table instead.
    package func jobCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for batch in try await batches(unit: nil) where batch.state != .uploading {
            counts[batch.state.rawValue, default: 0] += 1
        }
        return counts
    }
}
