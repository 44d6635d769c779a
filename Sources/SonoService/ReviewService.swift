package import Foundation
import Hummingbird
package import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

package struct ServiceConfiguration: Sendable {
    package var dataDirectory: String
    package var host: String
    package var port: Int
    /// Batches analysed at once.
    package var workers: Int
    /// Threads each batch's analysis uses (the `--jobs` of `sonoqc analyze`).
    package var threadsPerJob: Int
    package var limits: UploadLimits
    package var shutdownGrace: Duration
    /// Adds `Secure` to the session cookie; set when a TLS reverse proxy fronts the service.
    package var secureCookies: Bool
    package var sessionLifetime: TimeInterval
    /// Slows every analysed frame (tests make jobs long enough to interrupt), as analyze's hidden `--test-delay-ms`.
    package var testFrameDelayMicroseconds: UInt32 = 0
    /// Scale-out: what this process runs, the directory all hosts share for blobs and
    /// results (nil: the data directory), and how long a job's lease lasts without a heartbeat.
    package var role: ServiceRole = .all
    package var sharedDirectory: String?
    package var lease: TimeInterval = 30
    /// The reviewer workspace's sampling.
    package var review = ReviewSettings()

    package init(dataDirectory: String, host: String = "127.0.0.1", port: Int = 8080, workers: Int = 1,
                threadsPerJob: Int = 1, limits: UploadLimits = UploadLimits(), shutdownGrace: Duration = .seconds(30),
                secureCookies: Bool = false, sessionLifetime: TimeInterval = 8 * 3600) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.workers = workers
        self.threadsPerJob = threadsPerJob
        self.limits = limits
        self.shutdownGrace = shutdownGrace
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
    }
}

/// `sonoqc serve`: the HTTP API, the browser pages and the worker pool over one store.
package enum ReviewService {
    /// Opens the store in the data directory (creating both when missing).
    package static func openStore(dataDirectory: String) throws -> SQLiteStore {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ServiceError.storage("cannot create data directory \(dataDirectory): \(error)")
        }
        return try SQLiteStore(path: DataLayout(root: dataDirectory).database)
    }

    /// Runs until SIGTERM or SIGINT; then the listener closes first and the workers get the grace
    /// period (the service group stops services in reverse order).
    package static func run(_ config: ServiceConfiguration, store: any ServiceStore, logger: Logger,
                           onListening: @escaping @Sendable (Int) -> Void) async throws {
        let layout = DataLayout(root: config.dataDirectory, sharedRoot: config.sharedDirectory)
        let metrics = ServiceMetrics(store: store)
        let pool = WorkerPool(store: store, layout: layout, workers: config.workers, threadsPerJob: config.threadsPerJob,
                              shutdownGrace: config.shutdownGrace, frameDelayMicroseconds: config.testFrameDelayMicroseconds,
                              lease: config.lease, metrics: metrics, logger: logger)
        let api = ServiceAPI(store: store, layout: layout, config: config)
        let router = Router(context: ServiceContext.self)
        let table = RouteTable()
        router.middlewares.add(AccessLog(logger: logger))
        router.middlewares.add(MethodNotAllowed(table: table))
        if config.role.servesAPI { api.register(on: router, table: table) }
        metrics.register(on: router, table: table)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "sonoqc"),
            services: config.role.runsWorkers ? [pool] : [],
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? config.port) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// One access-log line per request: method, route pattern (never the concrete path, which may
/// carry scan ids), status, duration and the caller's account. No headers, no query strings, so
/// no tokens and no patient data.
struct AccessLog: RouterMiddleware {
    typealias Context = ServiceContext
    let logger: Logger

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.info("request", metadata: [
                "method": "\(request.method.rawValue)",
                "route": "\(context.endpointPath ?? "(no route)")",
                "status": "\(status)",
                "ms": "\(String(format: "%.1f", ms))",
            ])
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
