package import Foundation

/// What an account may do. Units upload and read their own batches; reviewers read every batch;
/// admins manage accounts (and see no batch data: least privilege for patient-related reports).
package enum Role: String, Sendable, Codable, CaseIterable {
    case unit, reviewer, admin
}

package struct Account: Sendable, Codable, Equatable {
    package var name: String
    package var role: Role
    /// Public half of the token (`<keyID>.<secret>`), used to find the account before the
    /// constant-time comparison of the secret's hash.
    package var keyID: String
    package var tokenHash: String
    package var createdAt: Date
    package var revokedAt: Date?
    /// The pages' language the user chose (`en`, `zh-CN`); nil follows the browser's Accept-Language.
    package var language: String?

    package init(name: String, role: Role, keyID: String, tokenHash: String, createdAt: Date, revokedAt: Date? = nil,
                language: String? = nil) {
        self.name = name
        self.role = role
        self.keyID = keyID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.language = language
    }
}

/// A browser login: the cookie carries a random id whose hash is stored; the CSRF token is
/// echoed in every state-changing form or `X-CSRF-Token` header.
package struct Session: Sendable, Equatable {
    package var idHash: String
    package var account: String
    package var csrfToken: String
    package var expiresAt: Date

    package init(idHash: String, account: String, csrfToken: String, expiresAt: Date) {
        self.idHash = idHash
        self.account = account
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
}

/// Life of a batch: `uploading` until the client commits it, then the job states.
package enum BatchState: String, Sendable, Codable, CaseIterable {
    case uploading, queued, running, done, failed
}

/// One file the client declared: its name is metadata only; the bytes live under their SHA-256.
package struct BatchFile: Sendable, Codable, Equatable {
    package var name: String
    package var sha256: String
    package var size: Int64

    package init(name: String, sha256: String, size: Int64) {
        self.name = name
        self.sha256 = sha256
        self.size = size
    }
}

package struct Batch: Sendable, Equatable {
    package var id: String
    package var unit: String
    package var name: String
    /// SHA-256 over the sorted (name, sha256) list: the same upload maps to the same batch.
    package var contentKey: String
    package var state: BatchState
    package var reason: String?
    package var createdAt: Date
    package var committedAt: Date?
    package var finishedAt: Date?
    /// From the analysis, once done.
    package var imagesTotal: Int?
    package var imagesAnalysed: Int?
    package var failures: Int?
    /// Job attempts (a kill -9 mid-job makes it 2).
    package var attempts: Int

    package init(id: String, unit: String, name: String, contentKey: String, state: BatchState, reason: String? = nil,
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
package enum JobOutcome: Sendable, Equatable {
    case done(imagesTotal: Int, imagesAnalysed: Int, failures: Int)
    case failed(reason: String)
}

/// Upload limits; each one breached gives 413 with the limit's name.
package struct UploadLimits: Sendable, Equatable {
    package var maxFileBytes: Int64
    package var maxFilesPerBatch: Int
    package var maxBatchBytes: Int64
    package var maxManifestBytes: Int64

    package init(maxFileBytes: Int64 = 64 << 20, maxFilesPerBatch: Int = 2000, maxBatchBytes: Int64 = 2 << 30,
                maxManifestBytes: Int64 = 1 << 20) {
        self.maxFileBytes = maxFileBytes
        self.maxFilesPerBatch = maxFilesPerBatch
        self.maxBatchBytes = maxBatchBytes
        self.maxManifestBytes = maxManifestBytes
    }
}
