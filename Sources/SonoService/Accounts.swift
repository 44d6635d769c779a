import Foundation

/// Account management shared by `sonoqc accounts` and the admin API.
package struct AccountManager: Sendable {
    let store: any ServiceStore

    package init(store: any ServiceStore) {
        self.store = store
    }

    /// Account names double as unit ids in batch listings: short, printable, no separators.
    package static func checkName(_ name: String) -> String? {
        let ok = !name.isEmpty && name.utf8.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" || $0 == "."
        }
        return ok ? nil : "account names are 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.'"
    }

    /// Creates the account and returns its token, which exists nowhere else afterwards.
    package func add(name: String, role: Role) async throws -> String {
        if let problem = Self.checkName(name) { throw ServiceError.usage(problem) }
        let (token, keyID, hash) = Secrets.newAPIToken()
        try await store.addAccount(Account(name: name, role: role, keyID: keyID, tokenHash: hash, createdAt: Date()))
        return token
    }

    package func revoke(name: String) async throws -> Bool {
        try await store.revokeAccount(name: name, at: Date())
    }

    package func list() async throws -> [Account] {
        try await store.accounts()
    }

    /// The active account a token belongs to: found by its public key id, then the stored hash
    /// compared in constant time.
    package func authenticate(token: String) async throws -> Account? {
        guard let keyID = Secrets.keyID(ofToken: token), let account = try await store.activeAccount(keyID: keyID) else {
            return nil
        }
        return Secrets.constantTimeEqual(Secrets.sha256Hex(Data(token.utf8)), account.tokenHash) ? account : nil
    }
}
