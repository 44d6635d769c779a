import Foundation
import SonoCore

/// One row of Fixtures/fixtures.json, written by scripts/make-codec-fixtures.py.
struct CodecFixture: Decodable, Sendable {
    let file: String
    let expected: String?
    let width: Int?
    let height: Int?
    let tolerance: Int?
    let meanAbsTolerance: Double?
    let bitDepth: Int?
    let colour: Bool?
    let spacingMM: Double?
    let raw16: [Int]?
    let error: String?
    let note: String?

    enum CodingKeys: String, CodingKey {
        case file, expected, width, height, tolerance, colour, note, error
        case meanAbsTolerance = "mean_abs_tolerance", bitDepth = "bit_depth", spacingMM = "spacing_mm"
        case raw16
    }

}


enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let all: [CodecFixture] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("fixtures.json"))
        return try! JSONDecoder().decode([CodecFixture].self, from: data)
    }()

    static var decodable: [CodecFixture] { all.filter { $0.error == nil } }
    static var broken: [CodecFixture] { all.filter { $0.error != nil } }

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](try! Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}
