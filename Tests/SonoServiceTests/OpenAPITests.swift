import Foundation
import Hummingbird
@testable import SonoService
import Testing

@Suite struct OpenAPITests {
    /// "METHOD /path" for every operation in openapi.yaml (two-space path keys, four-space methods).
    static func documented() throws -> Set<String> {
        let text = try String(contentsOf: Fixtures.repo.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        var out = Set<String>()
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if !line.hasPrefix(" ") {
                path = nil
            } else if let p = path, line.hasPrefix("    "), !line.hasPrefix("     "),
                      let method = ["get", "post", "put", "delete"].first(where: { line == "    \($0):" }) {
                out.insert("\(method.uppercased()) \(p)")
            }
        }
        return out
    }

    @Test func everyRouteIsInOpenAPIAndNothingElse() throws {
        let data = Fixtures.temporaryDirectory("openapi")
        let store = try ReviewService.openStore(dataDirectory: data)
        let table = RouteTable()
        ServiceAPI(store: store, layout: DataLayout(root: data), config: ServiceConfiguration(dataDirectory: data))
            .register(on: Router(context: ServiceContext.self), table: table)
        ServiceMetrics(store: store).register(on: Router(context: ServiceContext.self), table: table)
        let documented = try Self.documented()
        #expect(documented.count > 15)
        #expect(table.openAPIStyle.subtracting(documented).isEmpty, "routes missing from openapi.yaml")
        #expect(documented.subtracting(table.openAPIStyle).isEmpty, "openapi.yaml lists routes the server lacks")
    }
}
