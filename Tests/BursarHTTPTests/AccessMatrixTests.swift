import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// Every route × {no key, bad key, revoked key, router, viewer, admin}: 401 without a valid
/// key, 403 for a role the route does not allow, and past the gate for the roles it does.
@Suite struct AccessMatrixTests {
    @Test func everyRouteAnswersEveryKindOfCallerAsItShould() throws {
        let app = try TestApp()
        let revoked = try app.database.createKey(name: "gone", role: .admin)
        try app.database.revokeKey(name: "gone")
        let callers: [(String, String?, Role?)] = [
            ("no key", nil, nil), ("bad key", "bsr_not-a-real-key", nil), ("revoked key", revoked, nil),
            ("router", app.routerKey, .router), ("viewer", app.viewerKey, .viewer), ("admin", app.adminKey, .admin),
        ]
        var checked = 0
        for route in app.api.routeTable {
            let target = route.pattern.replacingOccurrences(of: #"\{[a-z]+\}"#, with: "x", options: .regularExpression)
            for (name, key, role) in callers {
                // A body only where one is taken: a GET with a body is refused (400) before its handler runs.
                let body = ["POST", "PUT"].contains(route.method) ? Array("{}".utf8) : []
                let status = app.send(route.method, target, key: key, body: body).status
                checked += 1
                // Past the gate: answered, or refused for what was sent (a 4xx other than 401/403),
                // never a server error.
                if route.roles.isEmpty {
                    #expect(status != 401 && status != 403 && status < 500, "\(route.method) \(route.pattern) needs no key, \(name) got \(status)")
                } else if let role, route.roles.contains(role) {
                    #expect(status != 401 && status != 403 && status < 500, "\(route.method) \(route.pattern) allows \(name), got \(status)")
                } else if role == nil {
                    #expect(status == 401, "\(route.method) \(route.pattern) with \(name) got \(status)")
                } else {
                    #expect(status == 403, "\(route.method) \(route.pattern) refuses \(name), got \(status)")
                }
            }
        }
        #expect(checked == app.api.routeTable.count * callers.count && checked > 150)
    }
}
