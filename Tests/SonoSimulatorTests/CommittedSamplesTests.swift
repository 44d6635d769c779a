import Foundation
import Testing
@testable import SonoSimulator

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `samples/` must be exactly what the current code makes from `seeds/`, so it never drifts.
/// Regenerates every seed in memory (the full set: about 10 s in release on two cores) and
/// compares bytes and file lists in both directions. To refresh after a deliberate change:
/// `swift run -c release sonoqc simulate seeds/*.json --out samples`.
@Suite("Committed samples")
struct CommittedSamplesTests {
    static var seedPaths: [String] {
        let dir = repositoryRoot.appendingPathComponent("seeds").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir + "/" + $0 }
    }

    @Test func everySeedHasACommittedBatch() {
        #expect(Self.seedPaths.count >= 4)
        for path in Self.seedPaths {
            let spec = try? PhantomSimulator.loadSpec(path: path)
            let batch = repositoryRoot.appendingPathComponent("samples/\(spec?.batch ?? "?")/manifest.json").path
            #expect(FileManager.default.fileExists(atPath: batch), "no samples for \(path)")
        }
    }

    @Test(arguments: CommittedSamplesTests.seedPaths)
    func regeneratedSamplesMatchCommittedBytes(seedPath: String) throws {
        let spec = try PhantomSimulator.loadSpec(path: seedPath)
        let batch = try PhantomSimulator(threads: ProcessInfo.processInfo.activeProcessorCount).generate(spec)
        let dir = repositoryRoot.appendingPathComponent("samples/\(spec.batch)")
        let committed = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(committed == Set(batch.files.map(\.path)), "file list of samples/\(spec.batch) differs")
        for file in batch.files {
            let onDisk = try? Data(contentsOf: dir.appendingPathComponent(file.path))
            #expect(onDisk.map(Array.init) == file.bytes, "samples/\(spec.batch)/\(file.path) differs from the regeneration")
        }
    }

    @Test func everyDefectKindAppearsInTheSamples() throws {
        var kinds = Set<DefectKind>()
        var errors = Set<ReportingError>()
        for path in Self.seedPaths {
            let plans = try BatchPlanner(spec: PhantomSimulator.loadSpec(path: path)).plan()
            for plan in plans {
                kinds.formUnion(plan.defects.map(\.kind))
                if let e = plan.reportedTruth?.grossError { errors.insert(e) }
            }
        }
        #expect(kinds == Set(DefectKind.allCases))
        #expect(errors == Set(ReportingError.allCases))
    }

    @Test func framesWithoutTheOutsideDefectShowTheWholeSkull() throws {
        for path in Self.seedPaths {
            for plan in try BatchPlanner(spec: PhantomSimulator.loadSpec(path: path)).plan()
            where !plan.defects.contains(where: { $0.kind == .headOutsideSector }) {
                #expect(BatchPlanner.outlineFitsInView(
                    geometry: plan.geometry, width: plan.width, height: plan.height, centreX: plan.centreXPixel,
                    centreY: plan.centreYPixel, semiAxesMM: (plan.ofdMM / 2, plan.bpdMM / 2),
                    orientationDeg: plan.orientationDeg) || plan.defects.contains { $0.kind == .nearDuplicate },
                    "\(plan.fileName) of \(path) cuts the skull")
            }
        }
    }
}
