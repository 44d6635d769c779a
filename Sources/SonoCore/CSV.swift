/// The package's one CSV reader and writer (RFC 4180): every CSV SonoQC reads (manifests, truth
/// tables) goes through ``parse(_:)`` and every CSV it writes (summary, audit, per-image results,
/// manifests, truth tables) through ``record(_:)``, so quoting is the same everywhere.
///
/// Records end with LF rather than RFC 4180's CRLF (both are read): the outputs are compared byte
/// for byte across runs and platforms, and LF is what every tool that reads them expects.
public enum CSV {
    /// One record and the 1-based line on which it starts (a quoted field may span lines).
    public struct Row: Sendable, Hashable {
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }

        /// True when every field is empty or blank (a spacer line, tolerated by the readers).
        public var isBlank: Bool { fields.allSatisfy { $0.allSatisfy(\.isWhitespace) } }
    }

    /// Splits RFC 4180 text: comma separators, double-quoted fields with `""` escapes (which may
    /// hold commas, CR and LF), CRLF, LF or CR record ends, a leading UTF-8 BOM ignored.
    public static func parse(_ text: String) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = scalars.startIndex
        func endRow() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            rows.append(Row(line: rowLine, fields: fields))
            fields = []
        }
        while i < scalars.endIndex {
            let c = scalars[i]
            let next = scalars.index(after: i)
            if inQuotes {
                if c == "\"" {
                    if next < scalars.endIndex, scalars[next] == "\"" {
                        field.append("\"")
                        i = scalars.index(after: next)
                        continue
                    }
                    inQuotes = false
                } else {
                    if c == "\n" || (c == "\r" && !(next < scalars.endIndex && scalars[next] == "\n")) { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                fields.append(String(field))
                field = String.UnicodeScalarView()
            } else if c == "\r" || c == "\n" {
                endRow()
                line += 1
                rowLine = line
                if c == "\r", next < scalars.endIndex, scalars[next] == "\n" {
                    i = scalars.index(after: next)
                    continue
                }
            } else {
                field.append(c)
            }
            i = next
        }
        if !field.isEmpty || !fields.isEmpty || inQuotes { endRow() }
        return rows
    }

    /// A header's column positions by (trimmed, lower-cased) name. A name that appears twice is
    /// an error the caller reports with the line: a second `file` column would otherwise silently
    /// shadow the first.
    package struct Header: Sendable {
        package var line: Int
        package var names: [String]
        package var index: [String: Int]
        /// Columns whose name already appeared: (name, 1-based column of the first, of the repeat).
        package var duplicates: [(name: String, first: Int, repeated: Int)]

        package init(_ row: Row) {
            line = row.line
            names = row.fields.map { $0.trimmingCharacters(inSet: " \t").lowercased() }
            index = [:]
            duplicates = []
            for (position, name) in names.enumerated() {
                if let first = index[name] {
                    duplicates.append((name, first + 1, position + 1))
                } else {
                    index[name] = position
                }
            }
        }
    }

    /// One field, quoted when it holds a comma, a double quote, CR or LF (RFC 4180 §2.6–2.7).
    /// NUL and the other C0 controls except TAB cannot be carried by CSV readers reliably, so they
    /// become U+FFFD; nothing in a field can end the record early.
    package static func field(_ text: String) -> String {
        var needsQuotes = false
        var clean = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            // Doubled here, scalar by scalar: a quote followed by a combining mark is one Character,
            // so a Character-level replace would miss it (found by FuzzManifestCSV).
            case "\"": needsQuotes = true; clean.append("\""); clean.append("\"")
            case ",", "\r", "\n": needsQuotes = true; clean.append(scalar)
            case "\t": clean.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: clean.append("\u{FFFD}")
            default: clean.append(scalar)
            }
        }
        let s = String(clean)
        guard needsQuotes else { return s }
        return "\"" + s + "\""
    }

    /// One record: the fields quoted as needed, joined by commas, ended by LF. Nil is an empty field.
    public static func record(_ fields: [String?]) -> String {
        fields.map { $0.map(field) ?? "" }.joined(separator: ",") + "\n"
    }
}

extension StringProtocol {
    /// Trims exactly the given characters from both ends (Foundation's `.whitespaces` would also
    /// take non-ASCII spaces). CSV header names and DICOM DS/IS values are trimmed with it.
    package func trimmingCharacters(inSet set: String) -> String {
        let chars = Set(set)
        guard let start = firstIndex(where: { !chars.contains($0) }),
              let end = lastIndex(where: { !chars.contains($0) }) else { return "" }
        return String(self[start...end])
    }
}
