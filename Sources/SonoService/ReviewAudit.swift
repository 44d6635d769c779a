import Foundation
import SonoReports
import SonoChecks

extension ReviewAudit {
    /// The audit page's statistics over the images a reviewer sees; decisions find an image by
    /// batch, scan and file name (the store's key).
    init(items: [ReviewItem], decisions: [Decision]) {
        let images = items.map {
            ReviewedImage(key: $0.batchID + "/" + $0.scanID + "/" + $0.fileName, unitID: $0.unitID, operatorID: $0.operatorID,
                          flagged: $0.status != .pass)
        }
        self.init(images: images, decisions: decisions) { $0.batchID + "/" + $0.scan + "/" + $0.image }
    }
}
