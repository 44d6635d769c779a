import Foundation
import SonoCodecs
import SonoChecks
import SonoCore
import SonoTestSupport
import Testing
@testable import SonoPipeline
@testable import SonoAnalysis

@Suite struct ExecutorTests {
    /// The deterministic outputs must not depend on the executor or the worker count.
    @Test func serialAndDispatchExecutorsWriteIdenticalOutputs() throws {
        let batch = try TestBatch()
        try batch.populateMixed()
        for i in 0..<40 { try batch.writePNG("in/c/\(i).png", width: 50 + i, height: 20, seed: UInt64(500 + i)) }
        let input = batch.root + "/in"
        _ = try analyze([input], out: batch.root + "/serial", executor: SerialExecutor())
        _ = try analyze([input], out: batch.root + "/dispatch4", executor: DispatchExecutor(workers: 4))
        _ = try analyze([input], out: batch.root + "/dispatch1", executor: DispatchExecutor(workers: 1, maxFramesInFlight: 1))
        let files = ["summary.json", "images.jsonl", "scans/in/a/report.json", "scans/in/b/report.json", "scans/in/c/report.json"]
        for file in files {
            let serial = try batch.read("serial/" + file)
            #expect(!serial.isEmpty)
            #expect(serial == (try batch.read("dispatch4/" + file)), "\(file) differs between serial and 4 workers")
            #expect(serial == (try batch.read("dispatch1/" + file)), "\(file) differs between serial and 1 worker")
        }
    }

    /// A corrupt file is reported with stage and reason; every other file is analysed.
    @Test func corruptFileIsIsolatedAndReportedWithStage() throws {
        let batch = try TestBatch()
        try batch.populateMixed()
        let summary = try analyze([batch.root + "/in"], out: batch.root + "/out", executor: DispatchExecutor(workers: 2))
        #expect(summary.imagesTotal == 10)
        #expect(summary.imagesAnalysed == 9)
        #expect(summary.failures == 1)
        #expect(summary.complete)
        let json = try decodedJSON(try batch.read("out/summary.json"))
        let failures = json["failures"] as! [[String: Any]]
        #expect(failures.count == 1)
        #expect((failures.first?["file"] as? String)?.hasSuffix("in/b/broken.png") == true)
        #expect(failures.first?["stage"] as? String == "decode")
        #expect(failures.first?["kind"] as? String == "truncated")
        #expect((failures.first?["reason"] as? String)?.isEmpty == false)
        let lines = String(decoding: try batch.read("out/images.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 9)
    }

    /// An unreadable file fails in the read stage, not the decode stage.
    @Test func missingManifestImageFailsInReadStage() throws {
        let batch = try TestBatch()
        try batch.writePNG("m/a.png", seed: 1)
        try batch.write("m/manifest.json", bytes: Array("""
            {"schema":"sonoqc-manifest/1","scans":[{"scan_id":"S1","images":[{"file":"a.png","plane":"head","reported":{}},{"file":"gone.png","plane":"head","reported":{}}]}]}
            """.utf8))
        let summary = try analyze([batch.root + "/m"], out: batch.root + "/out", executor: DispatchExecutor(workers: 2))
        #expect(summary.imagesAnalysed == 1)
        let json = try decodedJSON(try batch.read("out/summary.json"))
        let failures = json["failures"] as! [[String: Any]]
        #expect(failures.first?["stage"] as? String == "read")
        #expect(failures.first?["kind"] as? String == "unreadable")
        #expect(FileManager.default.fileExists(atPath: batch.root + "/out/scans/m/S1/report.json"))
    }

    /// A processor can attribute its failure to a stage; the scan still gets its result.
    @Test func processorFailureIsChargedToTheStageItNames() throws {
        struct FailingFilter: ScanProcessor {
            struct Boom: Error {}
            func processImage(_ item: ImageWorkItem, frame: Frame, timings: inout StageTimings) throws -> Int {
                if item.indexInScan == 1 { throw StageError(stage: .filter, underlying: Boom()) }
                return frame.width
            }
            func finishScan(_ scan: ScanWork, outcomes: [ImageOutcome<Int>]) -> [String] {
                outcomes.map { outcome in
                    switch outcome {
                    case .success(let w): "ok \(w)"
                    case .failure(let f): "\(f.stage.rawValue) \(f.kind)"
                    }
                }
            }
        }
        let batch = try TestBatch()
        for i in 0..<3 { try batch.writePNG("s/\(i).png", width: 10 + i, height: 5, seed: UInt64(i)) }
        let plan = InputDiscovery().plan(inputs: [batch.root + "/s"])
        let results = ResultBox()
        let pipeline = Pipeline(reader: { try FileBytes.contents(of: $0) }, decoder: ImageDecoder(),
                                processor: FailingFilter(), failureKind: { _ in "boom" }) { _, result in
            results.append(result)
        }
        let run = DispatchExecutor(workers: 2).run(pipeline, scans: plan.scans, control: RunControl())
        #expect(results.values == [["ok 10", "filter boom", "ok 12"]])
        #expect(run.imageFailures.map(\.index) == [1])
        #expect(run.scanStatus == [.written])
    }

    /// A sink failure marks the scan write-failed and the batch as failed, not crashed.
    @Test func reportWriteFailureIsReportedInTheWriteStage() throws {
        let batch = try TestBatch()
        try batch.writePNG("s/a.png", seed: 3)
        let plan = InputDiscovery().plan(inputs: [batch.root + "/s"])
        struct DiskFull: Error {}
        let pipeline = Pipeline(reader: { try FileBytes.contents(of: $0) }, decoder: ImageDecoder(),
                                processor: AnalyzeProcessor(), failureKind: { _ in "disk-full" }) { _, _ in
            throw DiskFull()
        }
        let run = SerialExecutor().run(pipeline, scans: plan.scans, control: RunControl())
        #expect(run.scanStatus.first.map { if case .writeFailed(let f) = $0 { f.stage == .write && f.kind == "disk-full" } else { false } } == true)
    }

    /// Cancelling stops handing out frames; unfinished scans are not written and the run says so.
    @Test func cancelledRunWritesIncompleteSummaryAndNoPartialScans() throws {
        let batch = try TestBatch()
        for s in 0..<6 {
            for i in 0..<5 { try batch.writePNG("in/s\(s)/\(i).png", seed: UInt64(s * 10 + i)) }
        }
        let control = RunControl()
        let counter = ResultBox()
        // The reader cancels the run at the 7th file: a deterministic stand-in for a signal.
        let summary = try analyze([batch.root + "/in"], out: batch.root + "/out", executor: DispatchExecutor(workers: 2),
                                  control: control, reader: { path in
            if counter.increment() == 7 { control.cancel(signal: 2) }
            return try FileBytes.contents(of: path)
        })
        #expect(!summary.complete)
        #expect(summary.notProcessed >= 30 - 5 * 2)
        let json = try decodedJSON(try batch.read("out/summary.json"))
        #expect(json["complete"] as? Bool == false)
        #expect(json["interrupted_by"] as? String == "SIGINT")
        let scans = json["scans"] as! [[String: Any]]
        #expect(scans.first?["status"] as? String == "reported")
        #expect(scans.last?["status"] as? String == "not-finished")
        #expect(!FileManager.default.fileExists(atPath: batch.root + "/out/scans/in/s5/report.json"))
    }

    /// `--resume` reuses complete, matching reports and recomputes the others; the outputs equal a fresh run's.
    @Test func resumeSkipsValidReportsAndRedoesInvalidOnes() throws {
        let batch = try TestBatch()
        try batch.populateMixed()
        let input = batch.root + "/in"
        _ = try analyze([input], out: batch.root + "/fresh", executor: SerialExecutor())
        _ = try analyze([input], out: batch.root + "/out", executor: SerialExecutor())
        // Scan b's report is damaged (as if written by something else); scan a's is intact.
        try batch.write("out/scans/in/b/report.json", bytes: Array("{\"schema\":".utf8))
        let reads = ResultBox()
        let summary = try analyze([input], out: batch.root + "/out", executor: DispatchExecutor(workers: 2), resume: true,
                                  reader: { path in
            _ = reads.increment()
            reads.append([path])
            return try FileBytes.contents(of: path)
        })
        #expect(summary.scansResumed == 1)
        // Every input is read once to check its digest against the report (scan a: 5 files; scan b:
        // its report is unreadable, so no check); only scan b's 5 files are then analysed.
        let paths = reads.values.map { $0[0] }
        #expect(paths.filter { $0.contains("/in/a/") }.count == 5)
        #expect(paths.filter { $0.contains("/in/b/") }.count == 5)
        for file in ["summary.json", "images.jsonl", "scans/in/a/report.json", "scans/in/b/report.json"] {
            #expect(try batch.read("fresh/" + file) == (try batch.read("out/" + file)), "\(file) differs after resume")
        }
    }
}

@Suite struct ColourChunkRecordTests {
    /// PngSuite files committed with the codec fixtures: ccwn2c08 carries gAMA and cHRM, basn0g08
    /// gAMA, f00n0g08 none.
    static let pngsuite = Repository.path("Tests/SonoCodecsTests/Fixtures/pngsuite")

    /// Colour chunks are not applied to pixels, so a reviewer must see them in every output.
    @Test func colourChunksReachImagesJSONLAndTheScanReport() throws {
        let batch = try TestBatch()
        for name in ["basn0g08.png", "ccwn2c08.png", "f00n0g08.png"] {
            try batch.write("in/s/" + name, bytes: [UInt8](try Data(contentsOf: Self.pngsuite.appendingPathComponent(name))))
        }
        _ = try analyze([batch.root + "/in"], out: batch.root + "/out", executor: SerialExecutor())
        let lines = String(decoding: try batch.read("out/images.jsonl"), as: UTF8.self).split(separator: "\n")
        let records = try lines.map { try decodedJSON(Data($0.utf8)) }
        #expect(records.map { $0["colour_chunks"] as? [String] } == [["gAMA"], ["gAMA", "cHRM"], []])
        let analysis = try decodedJSON(try batch.read("out/scans/in/s/analysis.json"))
        #expect((analysis["images"] as? [[String: Any]])?.map { $0["colour_chunks"] as? [String] } == [["gAMA"], ["gAMA", "cHRM"], []])
        let report = try decodedJSON(try batch.read("out/scans/in/s/report.json"))
        let images = try #require(report["images"] as? [[String: Any]])
        // Absent, not empty, when a file has none: reports of plain files keep their bytes.
        #expect(images.map { $0["colourChunks"] as? [String] } == [["gAMA"], ["gAMA", "cHRM"], nil])
        #expect(images[2].keys.contains("colourChunks") == false)
        let validator = JSONSchemaValidator(schema: ScanReportSchema.schema)
        #expect(validator.validate(try JSONValue.parse(try batch.read("out/scans/in/s/report.json"))) == [])
        let page = String(decoding: try batch.read("out/scans/in/s/report.html"), as: UTF8.self)
        #expect(page.contains("gAMA, cHRM"))
    }
}
