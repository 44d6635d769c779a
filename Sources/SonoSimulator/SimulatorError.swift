import SonoCore

/// Why a spec could not be turned into a batch.
package enum SimulatorError: SonoError, Equatable {
    case unreadableSpec(path: String, reason: String)
    case invalidSpec(batch: String, reason: String)
    case unknownOperator(batch: String, scanID: String, operatorID: String)
    case invalidGestationalAge(batch: String, scanID: String, text: String)
    case duplicateWithoutSource(batch: String, scanID: String, frameNumber: Int)
    case encodingFailed(file: String, reason: String)
    case writeFailed(path: String, reason: String)

    package var summary: String {
        switch self {
        case .unreadableSpec(let path, _): "cannot read seed spec \(path)"
        case .invalidSpec(let batch, let reason): "invalid seed spec \(batch): \(reason)"
        case .unknownOperator(let batch, let scan, let op):
            "seed spec \(batch): scan \(scan) names operator \(op), which is not in `operators`"
        case .invalidGestationalAge(let batch, let scan, let text):
            "seed spec \(batch): scan \(scan) has gestational age \(text); expected weeks+days within 14+0…40+0"
        case .duplicateWithoutSource(let batch, let scan, let frame):
            "seed spec \(batch): frame \(frame) of scan \(scan) is a duplicate but has no earlier frame to copy"
        case .encodingFailed(let file, _): "cannot encode \(file)"
        case .writeFailed(let path, _): "cannot write \(path)"
        }
    }

    package var details: String? {
        switch self {
        case .unreadableSpec(_, let reason), .encodingFailed(_, let reason), .writeFailed(_, let reason): reason
        default: nil
        }
    }
}
