import Crypto
package import Foundation

/// Hashing, random tokens and constant-time comparison; the one file that uses swift-crypto.
package enum Secrets {
    /// Lower-case hex SHA-256.
    package static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// `count` bytes from the system CSPRNG (getrandom on Linux), URL-safe base64 without padding.
    package static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Equal-length strings compared without an early exit, so the time taken does not reveal how
    /// many leading characters matched.
    package static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// An API token: `<keyID>.<secret>`. The key id (64 bits, public) finds the account; the
    /// secret (256 bits) is what proves possession. Only SHA-256 of the whole token is stored:
    /// with 256 random bits a slow password hash adds nothing.
    package static func newAPIToken() -> (token: String, keyID: String, hash: String) {
        let keyID = randomToken(bytes: 8)
        let token = keyID + "." + randomToken(bytes: 32)
        return (token, keyID, sha256Hex(Data(token.utf8)))
    }

    /// The key id of a presented token, or nil when it does not have the token's shape.
    package static func keyID(ofToken token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, token.utf8.count <= 256 else { return nil }
        return String(parts[0])
    }
}
