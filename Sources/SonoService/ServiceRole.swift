import Foundation
package import Logging

/// What one `sonoqc serve` process does. `all` is the single-host service; with a
/// shared PostgreSQL store, `api` processes take uploads and serve reads while any number of
/// `worker` processes, on any hosts, analyse. A worker still listens, for /metrics only.
package enum ServiceRole: String, Sendable, CaseIterable {
    case api, worker, all

    package var servesAPI: Bool { self != .worker }
    package var runsWorkers: Bool { self != .api }
}

extension ReviewService {
    /// The store a command names: PostgreSQL when `database` is a URL, else SQLite in `dataDirectory`.
    package static func openStore(dataDirectory: String?, database: String?, logger: Logger) async throws -> any ServiceStore {
        if let database { return try await PostgresStore.open(url: database, logger: logger) }
        guard let dataDirectory else { throw ServiceError.usage("give --data DIR (SQLite) or --database postgresql://…") }
        return try openStore(dataDirectory: dataDirectory)
    }
}
