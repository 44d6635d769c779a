/// The Palette Color Lookup Table module (PS3.3 C.7.6.3 and C.7.9): three LUTs of 8- or 16-bit
/// entries, given whole or as segmented data.
struct DICOMPalette: Sendable {
    let firstMapped: Int
    /// 8 or 16: the depth of the entries as stored.
    let bits: Int
    let red: [UInt16]
    let green: [UInt16]
    let blue: [UInt16]

    /// Index into the LUTs for a stored value: below the first mapped value the first entry,
    /// past the end the last one (PS3.3 C.7.6.3.1.5).
    @inline(__always)
    func index(_ value: UInt16) -> Int {
        min(max(Int(value) - firstMapped, 0), red.count - 1)
    }

    init(_ file: DICOMFile, signedPixels: Bool) throws {
        func corrupt(_ m: String) -> DecodeError { .corrupt(file: file.source, library: "dicom", message: m) }
        let descriptorTag = DICOMTag(0x0028, 0x1101)
        guard let rawEntries = file.uint16(descriptorTag), let rawFirst = file.uint16(descriptorTag, index: 1),
              let nominalBits = file.uint16(descriptorTag, index: 2) else {
            throw corrupt("PALETTE COLOR without a Red Palette Color Lookup Table Descriptor (0028,1101)")
        }
        let entries = rawEntries == 0 ? 65536 : rawEntries
        // The first mapped value is signed when the pixels are (PS3.3 C.7.6.3.1.5).
        firstMapped = signedPixels ? Int(Int16(truncatingIfNeeded: rawFirst)) : rawFirst
        var luts: [[UInt16]] = []
        var depth = nominalBits
        let plain = [0x1201, 0x1202, 0x1203].map { file.dataSet[DICOMTag(0x0028, UInt16($0))] }
        let segmented = [0x1221, 0x1222, 0x1223].map { file.dataSet[DICOMTag(0x0028, UInt16($0))] }
        if plain.allSatisfy({ $0 != nil }) {
            // The data's length is the truth: 8-bit entries are often stored in 16-bit words.
            let length = plain[0]!.value.count
            guard length == entries || length == 2 * entries else {
                throw corrupt("palette LUT data has \(length) bytes for \(entries) entries")
            }
            depth = length == entries ? 8 : 16
            for element in plain {
                guard element!.value.count == length else { throw corrupt("red, green and blue palette LUTs differ in length") }
                luts.append(depth == 8 ? file.rawBytes(element!).map(UInt16.init) : file.words(element!))
            }
        } else if segmented.allSatisfy({ $0 != nil }) {
            guard nominalBits == 8 || nominalBits == 16 else { throw corrupt("segmented palette with \(nominalBits)-bit entries") }
            for element in segmented {
                let data = nominalBits == 8 ? file.rawBytes(element!).map(UInt16.init) : file.words(element!)
                var lut: [UInt16] = []
                try Self.expand(data[...], into: &lut, limit: entries, wordEntries: nominalBits == 16,
                                bigEndian: file.bigEndian, depth: 0, source: file.source)
                guard lut.count == entries else {
                    throw corrupt("segmented palette expands to \(lut.count) entries, the descriptor says \(entries)")
                }
                luts.append(lut)
            }
        } else {
            throw corrupt("PALETTE COLOR without palette LUT data (0028,1201–1203 or 0028,1221–1223)")
        }
        guard depth == 8 || depth == 16 else { throw corrupt("palette entries of \(depth) bits") }
        bits = depth
        red = luts[0]
        green = luts[1]
        blue = luts[2]
    }

    /// Expands segmented LUT data (PS3.3 C.7.9.2) the way pydicom does, so tests can compare
    /// exactly. `limit` bounds the output (a hostile indirect segment cannot make it grow).
    private static func expand(_ data: ArraySlice<UInt16>, into lut: inout [UInt16], limit: Int, wordEntries: Bool,
                               bigEndian: Bool, depth: Int, source: String, segments: Int? = nil) throws {
        func corrupt(_ m: String) -> DecodeError { .corrupt(file: source, library: "dicom", message: "segmented palette: " + m) }
        guard depth < 4 else { throw corrupt("indirect segments nested too deep") }
        var o = data.startIndex
        var read = 0
        while o + 1 < data.endIndex {
            let opcode = data[o], length = Int(data[o + 1])
            o += 2
            guard lut.count + length <= limit else { throw corrupt("expands past \(limit) entries") }
            switch opcode {
            case 0:
                guard o + length <= data.endIndex else { throw corrupt("discrete segment past the end of the data") }
                lut.append(contentsOf: data[o..<(o + length)])
                o += length
            case 1:
                guard let y0 = lut.last else { throw corrupt("the first segment cannot be linear") }
                guard o < data.endIndex else { throw corrupt("linear segment past the end of the data") }
                let y1 = data[o]
                o += 1
                guard length > 0 else { break }
                if y0 == y1 {
                    lut.append(contentsOf: repeatElement(y1, count: length))
                } else {
                    // numpy.linspace(y0 + step, y1, length) rounded half to even, as pydicom.
                    let step = (Double(y1) - Double(y0)) / Double(length)
                    let start = Double(y0) + step
                    let inner = length > 1 ? (Double(y1) - start) / Double(length - 1) : 0
                    for i in 0..<length {
                        let value = i == length - 1 && length > 1 ? Double(y1) : Double(i) * inner + start
                        lut.append(UInt16(clamping: Int(value.rounded(.toNearestOrEven))))
                    }
                }
            case 2:
                guard !lut.isEmpty else { throw corrupt("the first segment cannot be indirect") }
                let offset: Int
                if wordEntries {
                    guard o + 2 <= data.endIndex else { throw corrupt("indirect segment past the end of the data") }
                    offset = Int(data[o + 1]) << 16 | Int(data[o])
                    o += 2
                } else {
                    guard o + 4 <= data.endIndex else { throw corrupt("indirect segment past the end of the data") }
                    let order = bigEndian ? [2, 3, 0, 1] : [3, 2, 1, 0]
                    let b = order.map { Int(data[o + $0]) }
                    offset = (b[0] << 8 | b[1]) << 16 | (b[2] << 8 | b[3])
                    o += 4
                }
                guard offset < data.count else { throw corrupt("indirect offset \(offset) past the end of the data") }
                try expand(data[(data.startIndex + offset)...], into: &lut, limit: limit, wordEntries: wordEntries,
                           bigEndian: bigEndian, depth: depth + 1, source: source, segments: length)
            default:
                throw corrupt("unknown segment type \(opcode)")
            }
            read += 1
            if read == segments { return }
        }
    }
}
