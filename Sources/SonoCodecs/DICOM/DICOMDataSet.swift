import SonoCore

/// A DICOM attribute tag (group, element).
struct DICOMTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    let group: UInt16
    let element: UInt16

    init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    static func < (a: DICOMTag, b: DICOMTag) -> Bool {
        (a.group, a.element) < (b.group, b.element)
    }

    var description: String {
        "(" + hex4(group) + "," + hex4(element) + ")"
    }

    private func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s
    }

    static let item = DICOMTag(0xFFFE, 0xE000)
    static let itemDelimiter = DICOMTag(0xFFFE, 0xE00D)
    static let sequenceDelimiter = DICOMTag(0xFFFE, 0xE0DD)
    static let pixelData = DICOMTag(0x7FE0, 0x0010)
}

/// One parsed element. Values are not copied: `value` is a byte range of the buffer the data set
/// was parsed from (the file itself, or its inflated body for the deflated transfer syntax).
struct DICOMElement: Sendable {
    let tag: DICOMTag
    /// The two VR letters as stored (explicit VR) or as implied by the few tags SonoQC reads
    /// (implicit VR); "UN" when unknown.
    let vr: String
    let value: Range<Int>
    /// Items of a sequence (SQ, or an undefined-length element in implicit VR).
    var items: [DICOMDataSet]?
    /// Encapsulated pixel data: the basic offset table (first item) and the fragments after it.
    var encapsulated: Encapsulated?

    struct Encapsulated: Sendable {
        var offsetTable: Range<Int>
        /// Each fragment's value range, and its item's offset from the start of the first
        /// fragment's item tag (the origin the basic offset table counts from).
        var fragments: [(value: Range<Int>, itemOffset: Int)]
    }
}

/// The elements of one data set (the main one, or one sequence item), keyed by tag.
struct DICOMDataSet: Sendable {
    var elements: [DICOMTag: DICOMElement] = [:]

    subscript(tag: DICOMTag) -> DICOMElement? { elements[tag] }
}

/// A parsed Part 10 file: its transfer syntax, its main data set and the bytes the data set's
/// value ranges point into.
struct DICOMFile: Sendable {
    let source: String
    let transferSyntax: DICOMTransferSyntax
    let dataSet: DICOMDataSet
    let bytes: [UInt8]
    let bigEndian: Bool

    // MARK: Typed value access. Every reader tolerates absent or malformed values by returning nil:
    // the caller decides whether the element is required and names it in the error.

    func rawBytes(_ e: DICOMElement) -> ArraySlice<UInt8> { bytes[e.value] }

    /// Text of a string element (first value when `multi` is false), trailing spaces/NULs removed.
    func string(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> String? {
        guard let e = (set ?? dataSet)[tag] else { return nil }
        return Self.text(bytes[e.value])
    }

    static func text(_ slice: ArraySlice<UInt8>) -> String {
        var end = slice.endIndex
        while end > slice.startIndex && (slice[end - 1] == 0x20 || slice[end - 1] == 0) { end -= 1 }
        var start = slice.startIndex
        while start < end && slice[start] == 0x20 { start += 1 }
        return String(decoding: slice[start..<end], as: UTF8.self)
    }

    /// Backslash-separated numbers of a DS or IS element.
    func decimals(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> [Double]? {
        guard let s = string(tag, in: set), !s.isEmpty else { return nil }
        let values = s.split(separator: "\\", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(inSet: " "))
        }
        guard values.allSatisfy({ $0 != nil && $0!.isFinite }) else { return nil }
        return values.map { $0! }
    }

    func integerString(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> Int? {
        guard let s = string(tag, in: set) else { return nil }
        return Int(s.trimmingCharacters(inSet: " "))
    }

    /// Number of Frames (0028,0008); 1 when absent or not a number. An IS value is at most
    /// 2³¹ − 1 (PS3.5 §6.2) and every frame takes at least one byte, so a count outside
    /// 1 ... min(2³¹ − 1, bytes in the data set) is corrupt. Checked here, once, because callers
    /// multiply by it and iterate over it (a claim of Int.max frames overflowed and trapped).
    func numberOfFrames() throws -> Int {
        let frames = integerString(DICOMTag(0x0028, 0x0008)) ?? 1
        guard frames >= 1, frames <= min(Int(Int32.max), bytes.count) else {
            throw DecodeError.corrupt(file: source, library: "dicom",
                                      message: "Number of Frames (0028,0008) is \(frames); 1 to \(min(Int(Int32.max), bytes.count)) fit this file")
        }
        return frames
    }

    func uint16(_ tag: DICOMTag, in set: DICOMDataSet? = nil, index: Int = 0) -> Int? {
        guard let e = (set ?? dataSet)[tag], e.value.count >= 2 * (index + 1) else { return nil }
        return Int(readUInt16(e.value.lowerBound + 2 * index))
    }

    func uint32(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> Int? {
        guard let e = (set ?? dataSet)[tag], e.value.count >= 4 else { return nil }
        return Int(readUInt32(e.value.lowerBound))
    }

    func float64(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> Double? {
        guard let e = (set ?? dataSet)[tag], e.value.count >= 8 else { return nil }
        let lo = UInt64(readUInt32(e.value.lowerBound)), hi = UInt64(readUInt32(e.value.lowerBound + 4))
        let bits = bigEndian ? (lo << 32 | hi) : (hi << 32 | lo)
        return Double(bitPattern: bits)
    }

    /// The 16-bit words of an OW/US element in the file's byte order.
    func words(_ e: DICOMElement) -> [UInt16] {
        let count = e.value.count / 2
        return (0..<count).map { readUInt16(e.value.lowerBound + 2 * $0) }
    }

    func readUInt16(_ at: Int) -> UInt16 { DICOMBytes.uint16(bytes, at, bigEndian: bigEndian) }

    func readUInt32(_ at: Int) -> UInt32 { DICOMBytes.uint32(bytes, at, bigEndian: bigEndian) }
}

/// Integers in either DICOM byte order: the element walk and the typed accessors read with these.
enum DICOMBytes {
    @inline(__always)
    static func uint16(_ bytes: [UInt8], _ at: Int, bigEndian: Bool) -> UInt16 {
        bigEndian ? UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) : UInt16(bytes[at + 1]) << 8 | UInt16(bytes[at])
    }

    @inline(__always)
    static func uint32(_ bytes: [UInt8], _ at: Int, bigEndian: Bool) -> UInt32 {
        let b0 = UInt32(bytes[at]), b1 = UInt32(bytes[at + 1]), b2 = UInt32(bytes[at + 2]), b3 = UInt32(bytes[at + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }
}
