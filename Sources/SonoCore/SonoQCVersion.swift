/// The version of SonoQC, recorded in `sonoqc --version` and in every report's provenance so a
/// report can be traced to the code that produced it. Bumped with each release tag.
package enum SonoQCVersion {
    package static let current = "0.5.0"
}
