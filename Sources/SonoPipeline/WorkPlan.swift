package import SonoCore

/// One image to process: where it is, and where it belongs in the batch.
package struct ImageWorkItem: Sendable {
    /// Position in the whole batch (input order); results are stored by this index.
    package var index: Int
    /// Position of the scan in the batch.
    package var scanIndex: Int
    /// Position inside its scan.
    package var indexInScan: Int
    /// Path used to open the file and printed in reports (as the user spelled the input, joined
    /// with the relative path found by the walk), so reports do not depend on the working directory's
    /// absolute location.
    package var path: String
    /// For one frame of a multi-frame DICOM file: its 1-based number; `path` is then
    /// `<file>#<frame>` and ``filePath`` the file.
    package var frameNumber: Int?
    /// The file to read: `path` without the `#<frame>` suffix of a multi-frame item.
    package var filePath: String {
        guard let frameNumber else { return path }
        return String(path.dropLast("#\(frameNumber)".count))
    }
    /// The manifest's entry for this image, when the batch has a manifest, with the scan's
    /// `pixel_spacing_mm` filled in when the image gives none.
    package var manifestEntry: ImageEntry? {
        get { entryBox?.entry }
        set { entryBox = newValue.map(ImageEntryBox.init) }
    }

    /// Boxed so an item without a manifest costs one pointer, not a whole `ImageEntry`: the plan of a
    /// 20,000-image batch is in memory for the whole run.
    package var entryBox: ImageEntryBox?

    package init(index: Int, scanIndex: Int, indexInScan: Int, path: String, manifestEntry: ImageEntry? = nil) {
        self.index = index
        self.scanIndex = scanIndex
        self.indexInScan = indexInScan
        self.path = path
        self.entryBox = manifestEntry.map(ImageEntryBox.init)
    }

    package init(index: Int, scanIndex: Int, indexInScan: Int, path: String, entryBox: ImageEntryBox?) {
        self.index = index
        self.scanIndex = scanIndex
        self.indexInScan = indexInScan
        self.path = path
        self.entryBox = entryBox
    }
}

/// One scan: the unit that gets its own report.
package struct ScanWork: Sendable {
    package var index: Int
    /// Unique key within the batch, also the report's directory under `<out>/scans/`.
    /// For a scan found by directory it is the directory's path relative to the input's parent
    /// (e.g. `images` or `batch/day1`); for a manifest scan it is the manifest directory's path
    /// followed by the manifest's `scan_id`.
    package var key: String
    /// The manifest's scan entry, when the scan comes from a manifest.
    package var manifestEntry: ScanEntry?
    /// Unit, operator and exam date read from DICOM headers when there is no manifest; its
    /// `scanID` is the scan's de-identified key.
    package var headerMetadata: ScanEntry?
    package var items: [ImageWorkItem]

    package init(index: Int, key: String, manifestEntry: ScanEntry? = nil, items: [ImageWorkItem]) {
        self.index = index
        self.key = key
        self.manifestEntry = manifestEntry
        self.items = items
    }
}

/// A file the walk saw but did not analyse, with the reason.
package struct SkippedFile: Sendable, Hashable, Codable {
    package var file: String
    package var reason: String

    package init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
}

/// Everything discovery found: scans in input order, skipped files, and inputs that could not be
/// walked at all (a missing path, an unreadable manifest).
package struct BatchPlan: Sendable {
    package var scans: [ScanWork]
    package var skipped: [SkippedFile]
    /// Failures of the discover stage, each naming the input or manifest.
    package var discoveryFailures: [(file: String, failure: StageFailure)]

    package init(scans: [ScanWork], skipped: [SkippedFile], discoveryFailures: [(file: String, failure: StageFailure)]) {
        self.scans = scans
        self.skipped = skipped
        self.discoveryFailures = discoveryFailures
    }

    /// How the scans were formed, for the log line that tells the user.
    package var origins = ScanOrigins()

    package var imageCount: Int { scans.reduce(0) { $0 + $1.items.count } }
}

/// Where a scan's grouping came from.
package enum ScanOrigin: Sendable {
    /// A `manifest.json`/`manifest.csv` scan.
    case manifest
    /// A directory without a manifest: its images form one scan.
    case directory
    /// One image, with `--scan-per-file` (or named alone).
    case file
}

/// How many scans came from each ``ScanOrigin``.
package struct ScanOrigins: Sendable, Equatable {
    package var manifest = 0
    package var directory = 0
    package var file = 0

    package init() {}
}

package final class ImageEntryBox: Sendable {
    package let entry: ImageEntry
    package init(_ entry: ImageEntry) { self.entry = entry }
}
