import Foundation
import SonoCodecs
package import SonoCore

/// One file of a generated batch, with its path relative to the batch directory.
package struct GeneratedFile: Sendable, Hashable {
    package var path: String
    package var bytes: [UInt8]
}

/// A generated batch held in memory: images, per-image truth, `manifest.json` and `truth.csv`.
package struct GeneratedBatch: Sendable {
    package var name: String
    /// Sorted by path.
    package var files: [GeneratedFile]
    package var manifest: BatchManifest
    package var truths: [GroundTruth]
}

/// A rendered image with its truth, before encoding.
package struct RenderedFrame: Sendable {
    package var image: GrayImage
    package var truth: GroundTruth
}

/// The B-mode fetal-head phantom simulator behind `sonoqc simulate`.
///
/// Output depends only on the spec: planning is serial, each image draws its speckle from its own
/// seed, and images are rendered independently (in parallel over `threads` workers) and stored by
/// index, so the bytes are identical whatever the thread count.
package struct PhantomSimulator: Sendable {
    package var threads: Int

    package init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threads = max(1, threads)
    }

    /// Reads a spec from a JSON file.
    package static func loadSpec(path: String) throws(SimulatorError) -> SimulationSpec {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadableSpec(path: path, reason: error.localizedDescription)
        }
        do { return try JSONDecoder().decode(SimulationSpec.self, from: data) } catch {
            throw .unreadableSpec(path: path, reason: String(describing: error))
        }
    }

    /// Renders every image of `spec` (without encoding): for tests and evaluation.
    package func render(_ spec: SimulationSpec) throws(SimulatorError) -> [RenderedFrame] {
        let plans = try BatchPlanner(spec: spec).plan()
        return try renderAll(plans, batch: spec.batch, encode: false).map(\.frame)
    }

    /// Renders (and, when asked, encodes) every plan on `threads` workers; results are stored by
    /// index, and exact copies are filled in afterwards from their source, so the output does not
    /// depend on scheduling.
    private func renderAll(_ plans: [FramePlan], batch: String, encode: Bool)
        throws(SimulatorError) -> [(frame: RenderedFrame, bytes: [UInt8])] {
        let slots = orderedParallelMap(count: plans.count, workers: threads) { i -> Result<(frame: RenderedFrame, bytes: [UInt8]), SimulatorError>? in
            let plan = plans[i]
            guard plan.exactCopyOf == nil else { return nil }
            let frame = Self.renderFrame(plan, batch: batch)
            do throws(SimulatorError) {
                return .success((frame, encode ? try Self.encode(frame.image, plan: plan) : []))
            } catch {
                return .failure(error)
            }
        }
        var out: [(frame: RenderedFrame, bytes: [UInt8])] = []
        out.reserveCapacity(plans.count)
        for (i, plan) in plans.enumerated() {
            if let source = plan.exactCopyOf {
                // The source precedes its copies, so it is already in `out`.
                var copy = out[source]
                copy.frame.truth = Self.truth(for: plan, batch: batch, image: copy.frame.image,
                                              overlays: copy.frame.truth.overlays, stats: copy.frame.truth.imageStats)
                out.append(copy)
                continue
            }
            switch slots[i] {
            case .success(let value)?: out.append(value)
            case .failure(let error)?: throw error
            case nil: throw .encodingFailed(file: plan.fileName, reason: "frame was not rendered")
            }
        }
        return out
    }

    /// Generates the whole batch in memory.
    package func generate(_ spec: SimulationSpec) throws(SimulatorError) -> GeneratedBatch {
        let plans = try BatchPlanner(spec: spec).plan()
        let rendered = try renderAll(plans, batch: spec.batch, encode: true)
        var files: [GeneratedFile] = []
        for (i, item) in rendered.enumerated() {
            let plan = plans[i]
            files.append(GeneratedFile(path: plan.fileName, bytes: item.bytes))
            files.append(GeneratedFile(path: Self.truthFileName(plan.fileName), bytes: try Self.json(item.frame.truth)))
        }
        let frames = rendered.map(\.frame)
        let manifest = Self.manifest(for: plans, batch: spec.batch)
        files.append(GeneratedFile(path: "manifest.json", bytes: try Self.json(manifest)))
        var csv = CSV.record(["filename", "pixel_size_mm", "hc_mm"])
        for plan in plans {
            csv += CSV.record([plan.fileName, Self.number(plan.spacingMMPerPixel, digits: 10), Self.number(plan.hcMM, digits: 2)])
        }
        files.append(GeneratedFile(path: "truth.csv", bytes: Array(csv.utf8)))
        files.sort { $0.path < $1.path }
        return GeneratedBatch(name: spec.batch, files: files, manifest: manifest, truths: frames.map(\.truth))
    }

    /// Writes a generated batch into `directory/<batch name>/`, creating directories as needed.
    package static func write(_ batch: GeneratedBatch, into directory: String) throws(SimulatorError) -> String {
        let dir = (directory as NSString).appendingPathComponent(batch.name)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: dir, reason: error.localizedDescription)
        }
        for file in batch.files {
            let path = (dir as NSString).appendingPathComponent(file.path)
            do { try Data(file.bytes).write(to: URL(fileURLWithPath: path)) } catch {
                throw .writeFailed(path: path, reason: error.localizedDescription)
            }
        }
        return dir
    }

    static func truthFileName(_ imageName: String) -> String {
        let stem = (imageName as NSString).deletingPathExtension
        return stem + ".truth.json"
    }

    static func number(_ value: Double, digits: Int) -> String {
        var s = String(format: "%.\(digits)f", value)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    static func json<T: Encodable>(_ value: T) throws(SimulatorError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) + [0x0A] } catch {
            throw .encodingFailed(file: String(describing: T.self), reason: String(describing: error))
        }
    }

    static func encode(_ image: GrayImage, plan: FramePlan) throws(SimulatorError) -> [UInt8] {
        do {
            switch plan.format {
            case .png:
                return try PNGCodec.encode(image, spacingMMPerPixel: plan.spacingMMPerPixel)
            case .jpeg:
                return try JPEGCodec.encode(width: image.width, height: image.height, channels: 1,
                                            pixels: image.samples, quality: plan.jpegQuality, progressive: false,
                                            spacingMMPerPixel: plan.spacingMMPerPixel)
            }
        } catch {
            throw .encodingFailed(file: plan.fileName, reason: String(describing: error))
        }
    }

    static func manifest(for plans: [FramePlan], batch: String) -> BatchManifest {
        var scans: [ScanEntry] = []
        for plan in plans {
            let image = ImageEntry(file: plan.fileName, plane: .head, pixelSpacingMM: plan.spacingMMPerPixel,
                                   reported: plan.reported ?? ReportedMeasurements())
            if let last = scans.last, last.scanID == plan.scanID {
                scans[scans.count - 1].images.append(image)
            } else {
                scans.append(ScanEntry(scanID: plan.scanID, unitID: plan.unitID, operatorID: plan.operatorID,
                                       examDate: plan.examDate, gestationalAge: plan.gestationalAge, images: [image]))
            }
        }
        return BatchManifest(batch: batch, scans: scans)
    }

    /// Renders one planned frame, paints its overlays and measures its truth.
    static func renderFrame(_ plan: FramePlan, batch: String) -> RenderedFrame {
        let rendered = plan.imager().render(field: plan.scene(), seed: plan.speckleSeed)
        var painter = OverlayPainter(image: rendered.image)
        painter.paint(plan)
        let image = painter.image
        let stats = imageStats(image, fieldOfView: rendered.fieldOfView, count: rendered.fieldOfViewPixels)
        return RenderedFrame(image: image, truth: truth(for: plan, batch: batch, image: image,
                                                        overlays: painter.records, stats: stats))
    }

    static func imageStats(_ image: GrayImage, fieldOfView: [Bool], count: Int) -> ImageStats {
        var sum = 0, saturated = 0, black = 0
        for (i, inside) in fieldOfView.enumerated() where inside {
            let v = Int(image.samples[i])
            sum += v
            if v >= 250 { saturated += 1 }
            if v <= 2 { black += 1 }
        }
        let n = Double(max(count, 1))
        return ImageStats(fovFraction: round4(Double(count) / Double(image.pixelCount)),
                          meanInFOV: round4(Double(sum) / n), saturatedFractionInFOV: round4(Double(saturated) / n),
                          blackFractionInFOV: round4(Double(black) / n))
    }

    static func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
    static func round6(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }

    static func truth(for plan: FramePlan, batch: String, image: GrayImage, overlays: [OverlayRecord],
                      stats: ImageStats) -> GroundTruth {
        let a = plan.semiAxisAPixel, b = plan.semiAxisBPixel
        let angle = plan.orientationDeg * .pi / 180
        let c = cos(angle), s = sin(angle)
        let head = plan.scene().head
        var inView = 0, visible = 0
        let samples = 720
        let boxes = overlays.filter { $0.kind == .blackBox }
        for k in 0..<samples {
            let t = 2 * Double.pi * Double(k) / Double(samples)
            let u = a * cos(t), v = b * sin(t)
            let x = plan.centreXPixel + c * u - s * v, y = plan.centreYPixel + s * u + c * v
            let inImage = x >= 0 && y >= 0 && x <= Double(plan.width - 1) && y <= Double(plan.height - 1)
            let covered = boxes.contains { Double($0.x) <= x && x < Double($0.x + $0.width)
                && Double($0.y) <= y && y < Double($0.y + $0.height) }
            guard inImage, !covered, plan.geometry.contains(x: x, y: y) else { continue }
            inView += 1
            if head.ringPresence(u: u * plan.spacingMMPerPixel, v: v * plan.spacingMMPerPixel) > 0.5 { visible += 1 }
        }
        var angleDeg = plan.orientationDeg.truncatingRemainder(dividingBy: 180)
        if angleDeg <= -90 { angleDeg += 180 }
        if angleDeg > 90 { angleDeg -= 180 }
        let arcs = plan.missingArcs.map { [round4(($0.centre - $0.halfWidth) * 180 / .pi),
                                           round4(($0.centre + $0.halfWidth) * 180 / .pi)] }
        let headTruth = HeadTruth(
            hcMM: round6(plan.hcMM), bpdMM: round6(plan.bpdMM), ofdMM: round6(plan.ofdMM), hcZScore: round4(plan.hcZ),
            cephalicIndex: round6(plan.bpdMM / plan.ofdMM), skullThicknessMM: round4(plan.skullThicknessMM),
            boneSurfaceInsetMM: round4(plan.boneInsetMM),
            centreXPixel: round4(plan.centreXPixel), centreYPixel: round4(plan.centreYPixel),
            semiAxisAPixel: round4(a), semiAxisBPixel: round4(b), angleDeg: round4(angleDeg),
            frontalPole: plan.frontSign > 0 ? "+a" : "-a",
            areaFraction: round4(Double.pi * a * b / Double(plan.width * plan.height)),
            ringFractionInView: round4(Double(inView) / Double(samples)),
            ringFractionVisible: round4(Double(visible) / Double(samples)),
            missingRingArcsDeg: arcs, showsCavumSeptiPellucidi: plan.showsCavum)
        let g = plan.geometry
        let sector = SectorGeometry(apexXPixel: round4(g.apexXPixel), apexYPixel: round4(g.apexYPixel),
                                    spacingMMPerPixel: g.spacingMMPerPixel, probeRadiusMM: g.probeRadiusMM,
                                    halfAngleDeg: g.halfAngleDeg, depthMM: round4(g.depthMM))
        let acquisition = AcquisitionTruth(frequencyMHz: plan.frequencyMHz, focusDepthMM: plan.focusDepthMM,
                                           gainDB: plan.gainDB, dynamicRangeDB: plan.dynamicRangeDB,
                                           blurFactor: plan.blurFactor, speckleReduction: plan.speckleReduction, speckleSeed: plan.speckleSeed,
                                           format: plan.format.rawValue)
        return GroundTruth(
            file: plan.fileName, batch: batch, scanID: plan.scanID, frameNumber: plan.frameNumber,
            operatorID: plan.operatorID, unitID: plan.unitID, gestationalAge: plan.gestationalAge,
            gaWeeks: round6(plan.gaWeeks), pixelSpacingMM: plan.spacingMMPerPixel, imageWidth: plan.width,
            imageHeight: plan.height, head: headTruth, sector: sector, acquisition: acquisition,
            defects: plan.defects, overlays: overlays, duplicateOf: plan.duplicateOfFile, imageStats: stats,
            reported: plan.reportedTruth)
    }
}
