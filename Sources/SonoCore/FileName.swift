/// File names as the operating system gives them (bytes) and as reports print them (text).
///
/// POSIX names are byte strings, not necessarily UTF-8. A Swift `String` cannot hold arbitrary
/// bytes, so the pipeline carries every path in its *printable form*: a UTF-8 name without
/// backslashes or control characters is itself; otherwise each byte that is not part of valid
/// UTF-8, each control byte and each backslash is written `\xNN` (backslash as `\\`). The form is
/// lossless — ``bytes(ofPrintable:)`` gives back the exact bytes to open — so a name such as
/// `caf\xe9.png` (Latin-1) is analysed and reported instead of being silently dropped.
package enum FileName {
    package static func printable(_ bytes: [UInt8]) -> String {
        // Decoding repairs invalid UTF-8 with U+FFFD; equal bytes after re-encoding mean it was valid.
        let text = String(decoding: bytes, as: UTF8.self)
        if text.utf8.elementsEqual(bytes),
           !text.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) {
            return text
        }
        var out = String.UnicodeScalarView()
        func escape(_ b: UInt8) {
            let digits = Array("0123456789abcdef".unicodeScalars)
            out.append(contentsOf: ["\\", "x", digits[Int(b >> 4)], digits[Int(b & 15)]])
        }
        var i = 0
        while i < bytes.count {
            let length = validUTF8Length(bytes, at: i)
            if length == 0 {
                escape(bytes[i])
                i += 1
                continue
            }
            let scalar = String(decoding: bytes[i..<i + length], as: UTF8.self).unicodeScalars.first!
            if scalar == "\\" {
                out.append(contentsOf: ["\\", "\\"])
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                escape(bytes[i])
            } else {
                out.append(scalar)
            }
            i += length
        }
        return String(out)
    }

    /// The bytes a printable path stands for (the inverse of ``printable(_:)``). Text without a
    /// backslash is its own UTF-8.
    package static func bytes(ofPrintable text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.contains(UInt8(ascii: "\\")) else { return utf8 }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 1 < utf8.count {
                if utf8[i + 1] == UInt8(ascii: "\\") {
                    out.append(UInt8(ascii: "\\"))
                    i += 2
                    continue
                }
                if utf8[i + 1] == UInt8(ascii: "x"), i + 3 < utf8.count,
                   let hi = hexValue(utf8[i + 2]), let lo = hexValue(utf8[i + 3]) {
                    out.append(hi << 4 | lo)
                    i += 4
                    continue
                }
            }
            out.append(utf8[i])
            i += 1
        }
        return out
    }

    /// The printable path as a NUL-terminated C string for `open`/`stat`.
    package static func withCString<R>(_ printable: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var bytes = bytes(ofPrintable: printable).map { CChar(bitPattern: $0) }
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    // MARK: Output names

    /// Longest component ``safeComponent(_:)`` returns, in bytes. Well under the 255-byte limit of
    /// common file systems, leaving room for the prefixes and suffixes outputs add around it
    /// (`overlay-<n>-…png`, temporary names).
    package static let maxSafeComponentBytes = 120

    /// The one sanitiser for every name SonoQC writes under `--out` (scan folders, thumbnails).
    ///
    /// A name made only of `A–Z a–z 0–9 - _ .`, not starting with `.` and not over
    /// ``maxSafeComponentBytes``, is kept as is. Any other name has its other characters replaced
    /// by `_`, a leading `.` replaced, is cut to length, and gets `-` and 10 hex digits of the
    /// SHA-256 of the original name appended — so `a+b` and `a_b`, or two long names sharing a
    /// prefix, never map to one folder, and `...` does not become a hidden one. The result is a
    /// fixed point: sanitising it again changes nothing.
    package static func safeComponent(_ name: String) -> String {
        if isSafe(name) { return name }
        var kept = String(String.UnicodeScalarView(name.unicodeScalars.map { isSafeScalar($0) ? $0 : "_" }))
        if kept.hasPrefix(".") { kept = "_" + kept.dropFirst() }
        let suffix = "-" + String(ContentDigest.sha256Hex(Array(name.utf8)).prefix(10))
        let room = maxSafeComponentBytes - suffix.utf8.count
        if kept.utf8.count > room { kept = String(kept.prefix(room)) }
        return kept + suffix
    }

    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.utf8.count <= maxSafeComponentBytes
            && name.unicodeScalars.allSatisfy(isSafeScalar)
    }

    private static func isSafeScalar(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Length of the valid UTF-8 sequence starting at `i` (1–4), or 0 when the byte does not start one.
    private static func validUTF8Length(_ bytes: [UInt8], at i: Int) -> Int {
        let b0 = bytes[i]
        if b0 < 0x80 { return 1 }
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard i + length <= bytes.count else { return 0 }
        for k in 1..<length {
            let b = bytes[i + k]
            let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard (lo...hi).contains(b) else { return 0 }
        }
        return length
    }
}
