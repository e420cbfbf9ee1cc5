import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// `web/openapi.json` describes exactly the routes the server has (schemathesis checks the
/// answers against it in `make test`).
@Suite struct OpenAPITests {
    static func document() throws -> [String: Any] {
        let data = try Data(contentsOf: ServerProcess.packageRoot.appendingPathComponent("web/openapi.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func everyRouteIsDescribedAndEveryDescribedOperationIsARoute() throws {
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "put", "post", "delete", "patch"].contains(method) {
                described.insert("\(method.uppercased()) \(path)")
            }
        }
        let app = try TestApp()
        let routed = Set(app.api.routeTable.map { "\($0.method) \($0.pattern)" })
        #expect(routed.subtracting(described).isEmpty, "routes missing from openapi.json: \(routed.subtracting(described).sorted())")
        #expect(described.subtracting(routed).subtracting(["GET /openapi.json"]).isEmpty,
                "described but not routed: \(described.subtracting(routed).sorted())")
    }

    @Test func everyOperationSaysWhoMayCallItAndHowErrorsLook() throws {
        let document = try Self.document()
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = try #require(operation["responses"] as? [String: Any], "\(method) \(path)")
                #expect(responses["default"] != nil, "\(method) \(path) documents its error answers")
                #expect(operation["operationId"] is String, "\(method) \(path)")
            }
        }
        let web = WebFiles(root: ServerProcess.packageRoot.appendingPathComponent("web").path)
        let served = try #require(web.response(for: Request(method: "GET", target: "/openapi.json")))
        #expect(served.status == 200 && served.header("Content-Type") == "application/json")
    }
}
