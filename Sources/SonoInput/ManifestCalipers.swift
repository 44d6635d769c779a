import SonoCore
import SonoL10n

extension ManifestLoader {
    /// Measures a manifest may give caliper points for.
    package static let caliperMeasures: Set<String> = ["bpd", "ofd", "hc", "ac", "fl"]

    /// Caliper points (schema `sonoqc-manifest/2` only): known measures, at least two finite,
    /// non-negative points each.
    static func validateCalipers(_ image: ImageEntry, schema: String, field: String) -> [ManifestIssue] {
        guard let calipers = image.calipers else { return [] }
        if schema == "sonoqc-manifest/1" {
            return [ManifestIssue(field: field, found: "calipers under schema \"\(schema)\"", expectation: Message("manifest.expected.schema", ["schema": .text("sonoqc-manifest/2")]))]
        }
        var issues: [ManifestIssue] = []
        for (measure, points) in calipers.sorted(by: { $0.key < $1.key }) {
            if !caliperMeasures.contains(measure) {
                issues.append(ManifestIssue(field: "\(field).\(measure)", found: "\"\(measure)\"",
                                            expectation: oneOf(caliperMeasures.sorted())))
            } else if points.count < 2 || !points.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.x >= 0 && $0.y >= 0 }) {
                issues.append(ManifestIssue(field: "\(field).\(measure)", found: "\(points.count) point(s)",
                                            expectation: Message("manifest.expected.caliper_points")))
            }
        }
        return issues
    }
}
