/// What produced a report: enough to trace it to the code, the libraries, the thresholds and the
/// exact bytes that were read, and to tell whether two reports are comparable.
///
/// Every value but the run date is fixed by the inputs and the build, never by scheduling, so
/// reports stay byte-identical across `--jobs`; the date comes from `SOURCE_DATE_EPOCH` when set
/// (see ``CivilDate/runDate(environment:now:)``), which makes reruns byte-identical too.
package struct RunProvenance: Sendable, Codable, Hashable {
    /// One file read for the scan and the SHA-256 of the bytes that were decoded.
    package struct Input: Sendable, Codable, Hashable {
        package var file: String
        /// Nil when the file could not be read.
        package var sha256: String?

        package init(file: String, sha256: String?) {
            self.file = file
            self.sha256 = sha256
        }
    }

    package var sonoqcVersion: String
    /// The day the scan was analysed (`YYYY-MM-DD`, UTC); not part of the `--resume` settings.
    package var runDate: String
    /// Library name → version of the linked C codecs (decoded pixels can differ between versions).
    package var codecs: [String: String]
    /// SHA-256 of the applied QC profile as `sonoqc schema default-profile` prints a profile (for the
    /// built-in one, the digest of `profiles/default.json`), so an unnamed site profile is not
    /// mistaken for the default.
    package var qcProfileSHA256: String
    /// The settings that change what the outputs contain, as sorted `name=value` strings.
    package var options: [String]
    /// The scan's files in scan order.
    package var inputs: [Input]

    package init(sonoqcVersion: String, runDate: String, codecs: [String: String], qcProfileSHA256: String, options: [String],
                inputs: [Input]) {
        self.sonoqcVersion = sonoqcVersion
        self.runDate = runDate
        self.codecs = codecs
        self.qcProfileSHA256 = qcProfileSHA256
        self.options = options
        self.inputs = inputs
    }
}
