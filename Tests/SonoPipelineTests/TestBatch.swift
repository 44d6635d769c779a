import Foundation
import SonoCodecs
import SonoCore
@testable import SonoPipeline
@testable import SonoAnalysis

/// Deterministic generator for test images (never the system generator).
typealias TestRNG = SplitMix64

/// A temporary directory of small generated images, removed on deinit.
final class TestBatch {
    let root: String

    init(name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        root = NSTemporaryDirectory() + "sonoqc-pipeline-\(safe)-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    static func image(width: Int, height: Int, seed: UInt64) -> GrayImage {
        var rng = TestRNG(seed: seed)
        let samples = (0..<(width * height)).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) }
        return GrayImage(width: width, height: height, samples: samples)
    }

    @discardableResult
    func writePNG(_ relative: String, width: Int = 37, height: Int = 23, seed: UInt64) throws -> String {
        try write(relative, bytes: PNGCodec.encode(Self.image(width: width, height: height, seed: seed)))
    }

    @discardableResult
    func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ relative: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
    }

    /// Two scans of good images, a truncated PNG, and a text file.
    func populateMixed() throws {
        for i in 0..<5 { try writePNG("in/a/img\(i).png", seed: UInt64(i)) }
        for i in 0..<4 { try writePNG("in/b/IMG\(i).PNG", width: 16 + i, height: 9, seed: UInt64(100 + i)) }
        let good = try PNGCodec.encode(Self.image(width: 40, height: 30, seed: 7))
        try write("in/b/broken.png", bytes: Array(good.prefix(good.count / 2)))
        try write("in/a/notes.txt", bytes: Array("not an image".utf8))
    }
}

/// Runs `BatchAnalysis` in-process and returns the summary.
func analyze(_ inputs: [String], out: String, executor: any PipelineExecutor, resume: Bool = false,
             control: RunControl = RunControl(), reader: Pipeline<AnalyzeProcessor>.Reader? = nil) throws -> AnalysisSummary {
    let plan = InputDiscovery().plan(inputs: inputs)
    return try BatchAnalysis.run(
        plan: plan, options: AnalysisOptions(outputDirectory: out, resume: resume), executor: executor,
        control: control, decoder: ImageDecoder(), reader: reader ?? { try FileBytes.contents(of: $0) })
}

func decodedJSON(_ data: Data) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// Collects values from worker threads.
// @unchecked: `stored` and `count` are read and written only under `lock`.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[String]] = []
    private var count = 0

    var values: [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func append(_ value: [String]) {
        lock.lock()
        stored.append(value)
        lock.unlock()
    }

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
