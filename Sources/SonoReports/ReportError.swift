import SonoCore

/// Errors of the report writers and the audit.
package enum ReportError: SonoError, Equatable {
    /// A file or folder could not be written.
    case writeFailed(path: String, reason: String)
    /// A `report.json` could not be read or decoded.
    case unreadableReport(path: String, reason: String)
    /// An audit input folder holds no `scans/*/report.json`.
    case noReports(directory: String)
    /// A reviewers' decisions export (`decisions.json` / `decisions.csv`) could not be read.
    case unreadableDecisions(path: String, reason: String)

    package var summary: String {
        switch self {
        case let .writeFailed(path, _): return "cannot write \(path)"
        case let .unreadableReport(path, _): return "cannot read scan report \(path)"
        case let .noReports(directory): return "no scans/*/report.json under \(directory)"
        case let .unreadableDecisions(path, _): return "cannot read reviewers' decisions \(path)"
        }
    }

    package var details: String? {
        switch self {
        case let .writeFailed(_, reason), let .unreadableReport(_, reason), let .unreadableDecisions(_, reason):
            return reason
        case .noReports: return "expected the output folder of `sonoqc analyze` (it holds scans/<scan-id>/report.json)"
        }
    }
}
