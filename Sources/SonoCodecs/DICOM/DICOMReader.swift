import SonoCore

/// Reads a DICOM Part 10 file into a ``DICOMFile``: preamble and `DICM`, the file meta group
/// (always explicit VR little endian), then the data set in the transfer syntax the meta group
/// names: implicit or explicit VR little endian, explicit VR big endian, or deflated explicit VR
/// little endian.
///
/// Hostile input is the normal case for this parser: every length is compared with the bytes that
/// remain before it is used, nothing is allocated from a declared length (values stay byte ranges
/// of the input), sequences may nest only ``maxDepth`` deep and the element count is capped, so a
/// file can neither crash the reader nor make it allocate more than a small multiple of its size.
enum DICOMReader {
    static let magicOffset = 128
    static let magic: [UInt8] = Array("DICM".utf8)
    /// Real ultrasound files nest sequences three or four levels deep; 16 leaves room while
    /// keeping recursion shallow.
    static let maxDepth = 16
    /// Far above any real file (a few thousand elements) and far below what would exhaust memory.
    static let maxElements = 1_000_000

    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= magicOffset + 4 && bytes[magicOffset..<(magicOffset + 4)].elementsEqual(magic)
    }

    static func read(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> DICOMFile {
        guard hasMagic(bytes) else {
            throw DecodeError.unsupportedFormat(file: source, detected: "no DICM magic at offset 128")
        }
        var meta = DICOMParser(bytes: bytes, source: source, explicitVR: true, bigEndian: false)
        let (metaSet, metaEnd) = try meta.parseDataSet(from: magicOffset + 4, to: bytes.count, depth: 0,
                                                       untilItemDelimiter: false, onlyGroup: 0x0002)
        let metaFile = DICOMFile(source: source, transferSyntax: DICOMTransferSyntax.known["1.2.840.10008.1.2.1"]!,
                                 dataSet: metaSet, bytes: bytes, bigEndian: false)
        guard let uid = metaFile.string(DICOMTag(0x0002, 0x0010)), !uid.isEmpty else {
            throw DecodeError.corrupt(file: source, library: "dicom",
                                      message: "file meta group has no Transfer Syntax UID (0002,0010)")
        }
        guard let syntax = DICOMTransferSyntax.known[uid] else {
            throw DecodeError.unsupportedTransferSyntax(file: source, uid: uid, name: "unknown transfer syntax")
        }
        let body: [UInt8]
        let start: Int
        switch syntax.encoding {
        case .deflatedExplicitLittle:
            body = try DICOMInflate.inflateRaw(bytes[metaEnd...], source: source, maxOutput: FileBytes.maxFileBytes)
            start = 0
        default:
            body = bytes
            start = metaEnd
        }
        var parser = DICOMParser(bytes: body, source: source, explicitVR: syntax.encoding != .implicitLittle,
                                 bigEndian: syntax.encoding == .explicitBig)
        let (dataSet, _) = try parser.parseDataSet(from: start, to: body.count, depth: 0, untilItemDelimiter: false)
        return DICOMFile(source: source, transferSyntax: syntax, dataSet: dataSet, bytes: body,
                         bigEndian: syntax.encoding == .explicitBig)
    }
}

/// The element walk. Value ranges point into `bytes`.
struct DICOMParser {
    let bytes: [UInt8]
    let source: String
    let explicitVR: Bool
    let bigEndian: Bool
    private var elementCount = 0

    init(bytes: [UInt8], source: String, explicitVR: Bool, bigEndian: Bool) {
        self.bytes = bytes
        self.source = source
        self.explicitVR = explicitVR
        self.bigEndian = bigEndian
    }

    /// VRs whose explicit header has two reserved bytes and a 32-bit length.
    private static let longVRs: Set<String> = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"]
    /// Implicit VR carries no VR: these are the sequences SonoQC reads, so a defined-length one is
    /// still parsed into items. Other defined-length sequences stay opaque bytes, which is enough
    /// because nothing inside them is read.
    private static let implicitSequences: Set<DICOMTag> = [
        DICOMTag(0x0018, 0x6011),  // Sequence of Ultrasound Regions
    ]

    private func corrupt(_ message: String) -> DecodeError {
        .corrupt(file: source, library: "dicom", message: message)
    }

    private func truncated(_ message: String) -> DecodeError {
        .truncated(file: source, library: "dicom", message: message)
    }

    private func u16(_ at: Int) -> UInt16 { DICOMBytes.uint16(bytes, at, bigEndian: bigEndian) }

    private func u32(_ at: Int) -> UInt32 { DICOMBytes.uint32(bytes, at, bigEndian: bigEndian) }

    private mutating func count(at offset: Int) throws {
        elementCount += 1
        if elementCount > DICOMReader.maxElements {
            throw corrupt("more than \(DICOMReader.maxElements) elements (at offset \(offset))")
        }
    }

    /// Parses elements from `start` up to `end`. With `untilItemDelimiter` the data set is an
    /// undefined-length item and must end with an item delimiter; with `onlyGroup` parsing stops
    /// before the first element of another group (the file meta group). Returns the offset after
    /// the last byte consumed.
    mutating func parseDataSet(from start: Int, to end: Int, depth: Int, untilItemDelimiter: Bool,
                               onlyGroup: UInt16? = nil) throws -> (DICOMDataSet, Int) {
        var set = DICOMDataSet()
        var o = start
        while o < end {
            guard end - o >= 8 else {
                throw truncated("element header at offset \(o) needs 8 bytes, \(end - o) remain")
            }
            let tag = DICOMTag(u16(o), u16(o + 2))
            if let onlyGroup, tag.group != onlyGroup { return (set, o) }
            if tag == .itemDelimiter {
                guard untilItemDelimiter else { throw corrupt("item delimiter at offset \(o) outside an undefined-length item") }
                return (set, o + 8)
            }
            if tag == .item || tag == .sequenceDelimiter {
                throw corrupt("unexpected \(tag) at offset \(o) outside a sequence")
            }
            try count(at: o)
            let vr: String
            let length: UInt32
            let valueStart: Int
            if explicitVR {
                let a = bytes[o + 4], b = bytes[o + 5]
                guard (0x41...0x5A).contains(a), (0x41...0x5A).contains(b) else {
                    throw corrupt("invalid VR bytes \(a),\(b) for \(tag) at offset \(o)")
                }
                vr = String(decoding: [a, b], as: UTF8.self)
                if Self.longVRs.contains(vr) {
                    guard end - o >= 12 else { throw truncated("element \(tag) header at offset \(o) needs 12 bytes, \(end - o) remain") }
                    length = u32(o + 8)
                    valueStart = o + 12
                } else {
                    length = UInt32(u16(o + 6))
                    valueStart = o + 8
                }
            } else {
                vr = Self.implicitSequences.contains(tag) ? "SQ" : (tag == .pixelData ? "OW" : "UN")
                length = u32(o + 4)
                valueStart = o + 8
            }
            var element: DICOMElement
            if length == 0xFFFF_FFFF {
                if tag == .pixelData {
                    let (encapsulated, next) = try parseEncapsulated(from: valueStart, to: end)
                    element = DICOMElement(tag: tag, vr: vr, value: valueStart..<valueStart, encapsulated: encapsulated)
                    o = next
                } else if vr == "SQ" || vr == "UN" {
                    // An undefined length is only legal on a sequence (implicit VR and UN included).
                    let (items, next) = try parseSequence(from: valueStart, to: end, definedLength: false, depth: depth + 1)
                    element = DICOMElement(tag: tag, vr: "SQ", value: valueStart..<valueStart, items: items)
                    o = next
                } else {
                    throw corrupt("element \(tag) with VR \(vr) at offset \(o) has an undefined length")
                }
            } else {
                let len = Int(length)
                guard len <= end - valueStart else {
                    throw truncated("element \(tag) at offset \(o) declares \(len) bytes, \(end - valueStart) remain")
                }
                element = DICOMElement(tag: tag, vr: vr, value: valueStart..<(valueStart + len))
                if vr == "SQ" {
                    let (items, _) = try parseSequence(from: valueStart, to: valueStart + len, definedLength: true, depth: depth + 1)
                    element.items = items
                }
                o = valueStart + len
            }
            // The first occurrence wins: a duplicated tag cannot replace what was already read.
            if set.elements[tag] == nil { set.elements[tag] = element }
        }
        if untilItemDelimiter {
            throw truncated("undefined-length item has no item delimiter before offset \(end)")
        }
        return (set, o)
    }

    /// Parses sequence items until `end` (defined length) or the sequence delimiter.
    mutating func parseSequence(from start: Int, to end: Int, definedLength: Bool, depth: Int) throws -> ([DICOMDataSet], Int) {
        guard depth <= DICOMReader.maxDepth else {
            throw corrupt("sequences nested deeper than \(DICOMReader.maxDepth) levels at offset \(start)")
        }
        var items: [DICOMDataSet] = []
        var o = start
        while true {
            if definedLength && o == end { return (items, o) }
            guard end - o >= 8 else {
                throw truncated(definedLength
                    ? "sequence item header at offset \(o) needs 8 bytes, \(end - o) remain"
                    : "undefined-length sequence starting at offset \(start) has no sequence delimiter")
            }
            let tag = DICOMTag(u16(o), u16(o + 2))
            let length = u32(o + 4)
            if tag == .sequenceDelimiter {
                guard !definedLength else { throw corrupt("sequence delimiter at offset \(o) inside a defined-length sequence") }
                return (items, o + 8)
            }
            guard tag == .item else { throw corrupt("expected a sequence item at offset \(o), found \(tag)") }
            try count(at: o)
            if length == 0xFFFF_FFFF {
                let (set, next) = try parseDataSet(from: o + 8, to: end, depth: depth, untilItemDelimiter: true)
                items.append(set)
                o = next
            } else {
                let len = Int(length)
                guard len <= end - (o + 8) else {
                    throw truncated("sequence item at offset \(o) declares \(len) bytes, \(end - o - 8) remain")
                }
                let (set, _) = try parseDataSet(from: o + 8, to: o + 8 + len, depth: depth, untilItemDelimiter: false)
                items.append(set)
                o += 8 + len
            }
        }
    }

    /// Encapsulated pixel data: a basic offset table item, fragment items, a sequence delimiter.
    mutating func parseEncapsulated(from start: Int, to end: Int) throws -> (DICOMElement.Encapsulated, Int) {
        var o = start
        var table: Range<Int>? = nil
        var fragments: [(value: Range<Int>, itemOffset: Int)] = []
        var origin = start
        while true {
            guard end - o >= 8 else {
                throw truncated("encapsulated pixel data starting at offset \(start) has no sequence delimiter")
            }
            let tag = DICOMTag(u16(o), u16(o + 2))
            let length = u32(o + 4)
            if tag == .sequenceDelimiter {
                guard let table else { throw corrupt("encapsulated pixel data at offset \(start) has no basic offset table item") }
                return (DICOMElement.Encapsulated(offsetTable: table, fragments: fragments), o + 8)
            }
            guard tag == .item else { throw corrupt("expected a pixel data item at offset \(o), found \(tag)") }
            guard length != 0xFFFF_FFFF else { throw corrupt("pixel data fragment at offset \(o) has an undefined length") }
            let len = Int(length)
            guard len <= end - (o + 8) else {
                throw truncated("pixel data fragment at offset \(o) declares \(len) bytes, \(end - o - 8) remain")
            }
            try count(at: o)
            let value = (o + 8)..<(o + 8 + len)
            if table == nil {
                table = value
                origin = o + 8 + len
            } else {
                fragments.append((value, o - origin))
            }
            o += 8 + len
        }
    }
}
