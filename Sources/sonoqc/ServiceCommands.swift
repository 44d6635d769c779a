import ArgumentParser
import Foundation
import Logging
import SonoService

/// `sonoqc serve`: wiring only; the service lives in SonoService.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the review service: uploads from units, a durable processing queue, per-unit access.",
        discussion: """
            DIR holds everything: sonoqc.sqlite (accounts, batches, the job queue; WAL mode), blobs/ \
            (uploaded files by SHA-256), results/<batch>/ (the `sonoqc analyze` output of each batch) \
            and work/ (scratch, emptied at start). The server runs with DIR as its working directory, \
            so reports name files relative to it.

            Runs until SIGTERM or SIGINT: then it stops accepting connections, gives running jobs \
            --shutdown-grace seconds and requeues those still running. After a crash or kill -9 the \
            next start requeues what was running; every batch is published exactly once.

            Scale-out: with --database postgresql://… (or SONOQC_DATABASE_URL, which keeps the \
            password out of the process list) the queue and accounts live in PostgreSQL and any \
            number of processes share them: --role api takes uploads and serves reads, --role worker \
            analyses (claims with FOR UPDATE SKIP LOCKED, holds a lease renewed by heartbeats; a dead \
            worker's job is taken again when its lease expires). All of them need the same --shared \
            DIR (e.g. NFS) for blobs/ and results/; each keeps its own --data DIR for scratch.
            """)

    @Option(name: .long, help: ArgumentHelp("Data directory (created if missing).", valueName: "dir"))
    var data: String

    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL store instead of SQLite: postgresql://user:password@host:port/db[?sslmode=disable|prefer|require]. Default: $SONOQC_DATABASE_URL if set.",
        valueName: "url"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Directory every process shares for blobs/ and results/ (default: the data directory).",
                                            valueName: "dir"))
    var shared: String?

    @Option(name: .long, help: "api (uploads and reads), worker (analysis; listens for /metrics only) or all.")
    var role = "all"

    @Option(name: .long, help: "Seconds a worker's claim on a job lasts without a heartbeat (shared queue only).")
    var leaseSeconds = 30.0

    @Option(name: .long, help: "Address to bind; 127.0.0.1 unless told otherwise (put TLS in a reverse proxy).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port; 0 picks a free one (printed on stdout).")
    var port = 8080

    @Option(name: .long, help: "Batches analysed at once.")
    var workers = 1

    @Option(name: .long, help: "Threads per batch analysis (default: cores / workers).")
    var jobs: Int?

    @Option(name: .long, help: "Seconds running jobs get to finish after SIGTERM/SIGINT.")
    var shutdownGrace = 30

    @Option(name: .long, help: "Largest file accepted, in bytes.")
    var maxFileBytes = UploadLimits().maxFileBytes

    @Option(name: .long, help: "Most files in one batch.")
    var maxFiles = UploadLimits().maxFilesPerBatch

    @Option(name: .long, help: "Largest batch accepted, in bytes.")
    var maxBatchBytes = UploadLimits().maxBatchBytes

    @Option(name: .long, help: "Largest manifest accepted, in bytes.")
    var maxManifestBytes = UploadLimits().maxManifestBytes

    @Flag(name: .long, help: "Mark the session cookie Secure (set this behind a TLS reverse proxy).")
    var secureCookies = false

    @Option(name: .long, help: .hidden)
    var testDelayMs: UInt32 = 0

    var databaseURL: String? {
        database ?? ProcessInfo.processInfo.environment["SONOQC_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    @Option(name: .long, help: "Share of passed images sampled into the review queue (0...1).")
    var passSample: Double = ReviewSettings().passShare

    @Option(name: .long, help: "Share of images sent to a second, blind reviewer (0...1).")
    var doubleRead: Double = ReviewSettings().doubleReadShare

    @Option(name: .long, help: "Seed of both samples (the same seed selects the same images).")
    var reviewSeed: UInt64 = ReviewSettings().seed

    func validate() throws {
        guard let role = ServiceRole(rawValue: role) else { throw ValidationError("--role must be api, worker or all.") }
        if role != .all && databaseURL == nil {
            throw ValidationError("--role \(role.rawValue) needs a shared store: --database postgresql://… (SQLite serves one process).")
        }
        if !(leaseSeconds >= 1) { throw ValidationError("--lease-seconds must be at least 1.") }
        if workers < 1 { throw ValidationError("--workers must be at least 1.") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535.") }
        if shutdownGrace < 0 { throw ValidationError("--shutdown-grace must not be negative.") }
        if !(0...1).contains(passSample) || !(0...1).contains(doubleRead) {
            throw ValidationError("--pass-sample and --double-read are shares between 0 and 1.")
        }
    }

    func run() throws {
        try runBlocking { try await self.runAsync() }
    }

    func runAsync() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "sonoqc.serve")
        let store: any ServiceStore
        // Absolute before the change of directory below.
        let shared = self.shared.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        do {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            store = try await ReviewService.openStore(dataDirectory: data, database: databaseURL, logger: logger)
        } catch {
            logger.error("\(error)")
            throw ExitCode(1)
        }
        guard FileManager.default.changeCurrentDirectoryPath(data) else {
            logger.error("cannot enter data directory \(data)")
            throw ExitCode(1)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var config = ServiceConfiguration(
            dataDirectory: ".", host: host, port: port, workers: workers, threadsPerJob: jobs ?? max(1, cores / workers),
            limits: UploadLimits(maxFileBytes: maxFileBytes, maxFilesPerBatch: maxFiles, maxBatchBytes: maxBatchBytes,
                                 maxManifestBytes: maxManifestBytes),
            shutdownGrace: .seconds(shutdownGrace), secureCookies: secureCookies)
        config.testFrameDelayMicroseconds = testDelayMs * 1000
        config.role = ServiceRole(rawValue: role) ?? .all
        config.sharedDirectory = shared
        config.lease = leaseSeconds
        config.review = ReviewSettings(passShare: passSample, doubleReadShare: doubleRead, seed: reviewSeed)
        let host = self.host
        try await ReviewService.run(config, store: store, logger: logger) { port in
            emit("listening on http://\(host):\(port)")
        }
        logger.info("stopped")
    }
}

/// `sonoqc accounts add|list|revoke`.
struct AccountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "Manage the review service's accounts.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account; its token is printed once, as the last line on stdout (only its hash is stored).")
        @OptionGroup var location: StoreLocation
        @Option(name: .long, help: "unit (uploads and reads its own batches), reviewer (reads all) or admin (manages accounts).")
        var role: String
        @Argument(help: "Account name; for a unit, the unit's id.") var name: String

        func run() throws {
            try runBlocking { try await self.runAsync() }
        }

        func runAsync() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be unit, reviewer or admin.") }
            let manager = AccountManager(store: try await location.open())
            do {
                let token = try await manager.add(name: name, role: role)
                emit("created \(role.rawValue) account \(name); keep this token, it is not shown again:")
                emit(token)
            } catch let error as StoreError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            } catch let error as ServiceError {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts (name, role, created, revoked).")
        @OptionGroup var location: StoreLocation

        func run() throws {
            try runBlocking { try await self.runAsync() }
        }

        func runAsync() async throws {
            let manager = AccountManager(store: try await location.open())
            let format = ISO8601DateFormatter()
            for a in try await manager.list() {
                emit([a.name, a.role.rawValue, format.string(from: a.createdAt), a.revokedAt.map { "revoked " + format.string(from: $0) } ?? "active"]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an account's token and end its sessions.")
        @OptionGroup var location: StoreLocation
        @Argument var name: String

        func run() throws {
            try runBlocking { try await self.runAsync() }
        }

        func runAsync() async throws {
            let manager = AccountManager(store: try await location.open())
            guard try await manager.revoke(name: name) else {
                FileHandle.standardError.write(Data("error: no active account \(name)\n".utf8))
                throw ExitCode(1)
            }
            emit("revoked \(name)")
        }
    }
}

/// Where `sonoqc accounts` finds the store: the service's data directory, or its PostgreSQL URL.
struct StoreLocation: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory of the service (SQLite).", valueName: "dir")) var data: String?
    @Option(name: .long, help: ArgumentHelp("The service's PostgreSQL URL instead (default: $SONOQC_DATABASE_URL).", valueName: "url"))
    var database: String?

    func validate() throws {
        if data == nil && database == nil && ProcessInfo.processInfo.environment["SONOQC_DATABASE_URL"] == nil {
            throw ValidationError("give --data DIR or --database postgresql://… (or set SONOQC_DATABASE_URL).")
        }
    }

    func open() async throws -> any ServiceStore {
        let url = database ?? (data == nil ? ProcessInfo.processInfo.environment["SONOQC_DATABASE_URL"] : nil)
        return try await ReviewService.openStore(dataDirectory: data, database: url, logger: Logger(label: "sonoqc.accounts"))
    }
}

/// `sonoqc upload BATCH_DIR --server URL --token-file FILE [--wait]`.
struct UploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Send a batch directory to a review service; prints the batch id as the first line.",
        discussion: """
            Sends the directory's images (.png, .jpg, .jpeg, .dcm, .dicom) and manifest.json / manifest.csv. \
            Resumable: rerunning after an interruption sends only what the server lacks and \
            completes the same batch.

            Exit status: 0 sent (with --wait: every file analysed); 1 with --wait, some file failed \
            (as analyze); 64 usage; 65 the server refused the batch (manifest, format or limit: \
            the message says which); 69 server unreachable or unexpected answer; 70 with --wait, \
            the batch's processing failed; 77 token refused.
            """)

    @Argument(help: ArgumentHelp("The batch directory.", valueName: "batch-dir")) var batchDir: String
    @Option(name: .long, help: ArgumentHelp("Base URL of the service, e.g. http://127.0.0.1:8080.", valueName: "url"))
    var server: String
    @Option(name: .long, help: ArgumentHelp("File holding the bearer token (kept off the command line).", valueName: "file"))
    var tokenFile: String
    @Flag(name: .long, help: "Wait until the batch is processed; exit as analyze would.") var wait = false

    func run() throws {
        try runBlocking { try await self.runAsync() }
    }

    func runAsync() async throws {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--server must be an http:// or https:// URL.")
        }
        guard let token = (try? String(contentsOfFile: tokenFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
            throw ValidationError("cannot read a token from \(tokenFile).")
        }
        let client = UploadClient(server: url, token: token)
        do {
            let (id, sent) = try await client.upload(directory: batchDir) { id in
                emit(id)
            }
            FileHandle.standardError.write(Data("batch \(id): \(sent) file(s) sent, committed\n".utf8))
            guard wait else { return }
            let state = try await client.wait(for: id)
            emit("state: \(state.state)" + (state.failures.map { ", \($0) failures" } ?? "") + (state.reason.map { ", \($0)" } ?? ""))
            let exit = UploadClient.exit(for: state)
            if exit != .allAnalysed { throw ExitCode(exit.rawValue) }
        } catch let failure as UploadClient.Failure {
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            throw ExitCode(failure.exit.rawValue)
        }
    }
}

/// One line on stdout, written at once (unbuffered): scripts read the port, the batch id and the
/// token line by line while the process may still be running.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Runs async service code from a synchronous command: the root `sonoqc` command is synchronous
/// (main.swift), and these commands are the only asynchronous ones.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    // @unchecked: `error` is written by the task before `done.signal()` and read only after
    // `done.wait()`; the semaphore orders the two accesses.
    final class Outcome: @unchecked Sendable { var error: (any Error)? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}
