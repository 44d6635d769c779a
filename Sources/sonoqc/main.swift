import ArgumentParser
import SonoCodecs
import SonoCore
import CProcessTuning

/// The `sonoqc` command: wiring only; every behaviour lives in the Sono* libraries.
struct SonoQC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sonoqc",
        abstract: "Quality control for prenatal ultrasound scan batches.",
        discussion: """
            SonoQC decodes ultrasound exports (PNG, JPEG, DICOM), measures the fetal head, checks image \
            quality, plane criteria and reported measurements against INTERGROWTH-21st, and writes \
            a QC report per scan plus a batch summary.
            """,
        version: versionText,
        subcommands: [
            AnalyzeCommand.self,
            BenchDecodeCommand.self,
            SimulateCommand.self,
            EvaluateHCCommand.self,
            SchemaCommand.self,
            AuditCommand.self,
            ServeCommand.self,
            AccountsCommand.self,
            UploadCommand.self,
        ]
    )
}

/// `sonoqc --version`: the SonoQC version, then one line per codec library it was built with.
private let versionText = (["sonoqc \(SonoQCVersion.current)"]
    + CodecVersions.all.map { "\($0.library) \($0.version)" }).joined(separator: "\n")

// Each frame allocates and frees several full-size buffers (0.4-2 MB). glibc serves blocks that
// large from fresh mmaps, so every frame paid page faults and kernel page zeroing, 7 % of
// `analyze`'s CPU. Keeping them in the heap reuses the pages; glibc still returns free memory
// above 128 MB to the kernel.
sono_keep_large_blocks_in_heap()

// main.swift is top-level code once the target has several files, so `@main` is not allowed here.
SonoQC.main()
