import Foundation

/// What an account may do. Units upload and read their own batches; reviewers read every batch;
/// admins manage accounts (and see no batch data: least privilege for patient-related reports).
public enum Role: String, Sendable, Codable, CaseIterable {
    case unit, reviewer, admin
}

public struct Account: Sendable, Codable, Equatable {
    public var name: String
    public var role: Role
    /// Public half of the token (`<keyID>.<secret>`), used to find the account before the
    /// constant-time comparison of the secret's hash.
    public var keyID: String
    public var tokenHash: String
    public var createdAt: Date
    public var revokedAt: Date?
    /// The UI language the account chose; nil follows the browser's Accept-Language.
    public var language: String?

    public init(name: String, role: Role, keyID: String, tokenHash: String, createdAt: Date, revokedAt: Date? = nil) {
        self.name = name
        self.role = role
        self.keyID = keyID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A browser login: the cookie carries a random id whose hash is stored; the CSRF token is
/// echoed in every state-changing form or `X-CSRF-Token` header.
public struct Session: Sendable, Equatable {
    public var idHash: String
    public var account: String
    public var csrfToken: String
    public var expiresAt: Date

    public init(idHash: String, account: String, csrfToken: String, expiresAt: Date) {
        self.idHash = idHash
        self.account = account
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
}

/// Life of a batch: `uploading` until the client commits it, then the job states.
public enum BatchState: String, Sendable, Codable, CaseIterable {
    case uploading, queued, running, done, failed
}

/// One file the client declared: its name is metadata only; the bytes live under their SHA-256.
public struct BatchFile: Sendable, Codable, Equatable {
    public var name: String
    public var sha256: String
    public var size: Int64

    public init(name: String, sha256: String, size: Int64) {
        self.name = name
        self.sha256 = sha256
        self.size = size
    }
}

public struct Batch: Sendable, Equatable {
    public var id: String
    public var unit: String
    public var name: String
    /// SHA-256 over the sorted (name, sha256) list: the same upload maps to the same batch.
    public var contentKey: String
    public var state: BatchState
    public var reason: String?
    public var createdAt: Date
    public var committedAt: Date?
    public var finishedAt: Date?
    /// From the analysis, once done.
    public var imagesTotal: Int?
    public var imagesAnalysed: Int?
    public var failures: Int?
    /// Job attempts (a kill -9 mid-job makes it 2).
    public var attempts: Int

    public init(id: String, unit: String, name: String, contentKey: String, state: BatchState, reason: String? = nil,
                createdAt: Date, committedAt: Date? = nil, finishedAt: Date? = nil, imagesTotal: Int? = nil,
                imagesAnalysed: Int? = nil, failures: Int? = nil, attempts: Int = 0) {
        self.id = id
        self.unit = unit
        self.name = name
        self.contentKey = contentKey
        self.state = state
        self.reason = reason
        self.createdAt = createdAt
        self.committedAt = committedAt
        self.finishedAt = finishedAt
        self.imagesTotal = imagesTotal
        self.imagesAnalysed = imagesAnalysed
        self.failures = failures
        self.attempts = attempts
    }
}

/// How a job ended, recorded with the batch.
public enum JobOutcome: Sendable, Equatable {
    case done(imagesTotal: Int, imagesAnalysed: Int, failures: Int)
    case failed(reason: String)
}

/// Upload limits; each one breached gives 413 with the limit's name.
public struct UploadLimits: Sendable, Equatable {
    public var maxFileBytes: Int64
    public var maxFilesPerBatch: Int
    public var maxBatchBytes: Int64
    public var maxManifestBytes: Int64

    public init(maxFileBytes: Int64 = 64 << 20, maxFilesPerBatch: Int = 2000, maxBatchBytes: Int64 = 2 << 30,
                maxManifestBytes: Int64 = 1 << 20) {
        self.maxFileBytes = maxFileBytes
        self.maxFilesPerBatch = maxFilesPerBatch
        self.maxBatchBytes = maxBatchBytes
        self.maxManifestBytes = maxManifestBytes
    }
}
