import Crypto
package import Foundation

/// SHA-256 and HMAC-SHA256 through swift-crypto (BoringSSL on Linux, CryptoKit on Apple platforms),
/// the one place SonoQC hashes: `--resume` keys scans on their inputs' digests, reports name each
/// input's digest, over-long names are shortened with one, and DICOM scans are named by a keyed
/// hash of their StudyInstanceUID.
package enum ContentDigest {
    /// Lower-case hex SHA-256 of `bytes`.
    package static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lower-case hex HMAC-SHA256 of `message` under `key`.
    package static func hmacSHA256Hex(key: [UInt8], message: [UInt8]) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Lower-case hex of any bytes (a digest, a key written to disk).
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
