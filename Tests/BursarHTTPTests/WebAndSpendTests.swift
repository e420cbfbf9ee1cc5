import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

@Suite struct WebFilesTests {
    let web = WebFiles(root: ServerProcess.packageRoot.appendingPathComponent("web").path)

    @Test func servesTheLandingPageWithTypeCachingAndSecurityHeaders() throws {
        let page = try #require(web.response(for: Request(method: "GET", target: "/")))
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Cache-Control") == "no-cache")
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        let policy = try #require(page.header("Content-Security-Policy"))
        #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"))
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
        let etag = try #require(page.header("ETag"))
        let again = web.response(for: Request(method: "GET", target: "/", headers: ["If-None-Match": etag]))
        #expect(again?.status == 304)
        #expect(web.response(for: Request(method: "GET", target: "/style.css"))?.header("Content-Type") == "text/css; charset=utf-8")
        #expect(web.response(for: Request(method: "GET", target: "/js/app.js"))?.header("Content-Type") == "text/javascript; charset=utf-8")
    }

    @Test func thePageLoadsNoInlineScriptOrStyle() throws {
        let page = try #require(web.response(for: Request(method: "GET", target: "/"))).bodyText
        #expect(page.contains("<script type=\"module\" src=\"/js/app.js\">"))
        #expect(!page.contains("<style") && !page.contains("style=") && !page.contains("onclick="))
        #expect(page.components(separatedBy: "<script").dropFirst().allSatisfy { $0.hasPrefix(" src=") || $0.hasPrefix(" type=\"module\" src=") })
    }

    @Test(arguments: ["/../Package.swift", "/.git/config", "/nothing.html", "/%2e%2e/Package.swift",
                      "/index.html%00.png", "/js/app.js%00", "/%00"])
    func refusesWhatIsNotAServedFile(path: String) {
        #expect(web.response(for: Request(method: "GET", target: path)) == nil)
    }

    @Test func aBodyOnAPageRequestIsRefused() throws {
        var router = Router(gatekeeper: NoCredentials(), logger: .forTests)
        router.fallback = { web.response(for: $0) }
        let refused = router.respond(to: Request(method: "GET", target: "/index.html", body: Array("x".utf8))).wait()
        #expect(refused.status == 400 && refused.bodyText.contains("body_not_allowed"))
        #expect(router.admit(id: "r-1", method: "GET", path: "/index.html", header: { $0 == "content-length" ? "5" : nil })?.status == 400)
        #expect(router.respond(to: Request(method: "GET", target: "/index.html")).wait().status == 200)
    }

    @Test func symbolicLinksOutOfTheFolderAreNotFollowed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("inner"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: outside)
        }
        try "secret".write(to: outside.appendingPathComponent("keys.txt"), atomically: true, encoding: .utf8)
        try "inside".write(to: folder.appendingPathComponent("inner/page.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("linked"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("file.txt"),
                                                   withDestinationURL: outside.appendingPathComponent("keys.txt"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("alias"), withDestinationURL: folder.appendingPathComponent("inner"))
        let web = WebFiles(root: folder.path)
        #expect(web.response(for: Request(method: "GET", target: "/linked/keys.txt")) == nil)
        #expect(web.response(for: Request(method: "GET", target: "/file.txt")) == nil)
        #expect(web.response(for: Request(method: "GET", target: "/alias/page.txt"))?.bodyText == "inside", "a link inside the folder is fine")
        #expect(web.response(for: Request(method: "GET", target: "/inner/page.txt"))?.bodyText == "inside")
    }
}

@Suite struct SpendAPITests {
    @Test func intervalsBucketTheSameTotal() throws {
        let app = try TestApp()
        let times = ["2026-09-30T23:30:00Z", "2026-10-01T00:10:00Z", "2026-10-01T05:00:00Z", "2026-10-15T12:00:00Z"]
        let events = times.enumerated().map { EventJSON.event("i\($0.offset)", time: $0.element, extra: [("user", "u1")]) }
        #expect(app.postEvents(events).status == 200)
        let range = "from=2026-09-01&to=2026-11-01"
        let byMonth = try app.getJSON("/v1/spend?interval=month&\(range)")
        let months = try #require(byMonth["rows"] as? [[String: Any]])
        #expect(months.compactMap { $0["bucket"] as? String } == ["2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"])
        #expect(months.compactMap { $0["requests"] as? Int } == [1, 3])
        let byHour = try app.getJSON("/v1/spend?interval=hour&from=2026-09-30T23:00:00Z&to=2026-10-01T06:00:00Z")
        #expect((byHour["rows"] as? [[String: Any]])?.count == 3)
        let byUserDay = try app.getJSON("/v1/spend?group_by=user&interval=day&\(range)")
        #expect((byUserDay["rows"] as? [[String: Any]])?.count == 3)
        #expect(app.send("GET", "/v1/spend?group_by=user&interval=hour", key: app.viewerKey).status == 400)
    }

    @Test func coarseBucketsNeverCountEventsOutsideTheRange() throws {
        let app = try TestApp()
        let events = [("a", "2026-10-31T23:00:00Z"), ("b", "2026-11-10T10:00:00Z"), ("c", "2026-11-20T10:00:00Z")]
            .map { EventJSON.event($0.0, time: $0.1, extra: [("user", "u1")]) }
        #expect(app.postEvents(events).status == 200)
        for (range, expected) in [("from=2026-11-01&to=2026-11-15", 1), ("from=2026-11-01&to=2026-12-01", 2),
                                  ("from=2026-10-01&to=2026-11-20T10:00:00Z", 2), ("from=2026-11-10T11:00:00Z&to=2026-12-01", 1)] {
            let traffic = try app.getJSON("/v1/spend?\(range)")
            #expect((traffic["total"] as? [String: Any])?["requests"] as? Int == expected, "\(range)")
            let byUser = try app.getJSON("/v1/spend?group_by=user&\(range)")
            let widened = range.contains("T") ? nil : expected
            if let widened { #expect((byUser["total"] as? [String: Any])?["requests"] as? Int == widened, "users \(range)") }
        }
    }

    @Test func headAnswersWithoutABody() throws {
        let app = try TestApp()
        let head = app.send("HEAD", "/v1/spend/summary", key: app.viewerKey)
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test func anEmptyDatabaseAnswersZeros() throws {
        let app = try TestApp()
        let summary = try app.getJSON("/v1/spend/summary")
        #expect(summary["requests"] as? Int == 0 && summary["cost_usd"] as? String == "0.000000000")
        #expect(summary["forecast_month_usd"] as? String == "0.000000000")
        let spend = try app.getJSON("/v1/spend?group_by=user")
        #expect((spend["rows"] as? [Any])?.isEmpty == true)
    }

    @Test func csvHasTheRowsOfTheJSONWithQuotedFieldsAndExactMoney() throws {
        let app = try TestApp()
        let events = [("a", "alice"), ("b", "bob, \"the builder\""), ("c", "alice")]
            .map { EventJSON.event($0.0, time: "2026-11-10T10:00:00Z", extra: [("user", $0.1)]) }
        #expect(app.postEvents(events).status == 200)
        let query = "group_by=user&from=2026-11-01&to=2026-12-01"
        let json = try app.getJSON("/v1/spend?\(query)")
        let rows = try #require(json["rows"] as? [[String: Any]])
        let csv = app.send("GET", "/v1/spend.csv?\(query)", key: app.viewerKey)
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let lines = csv.bodyText.components(separatedBy: "\r\n")
        #expect(lines.first?.hasPrefix("user,requests,input_tokens,") == true)
        #expect(lines.count == rows.count + 2 && lines.last == "")
        for (line, row) in zip(lines.dropFirst(), rows) {
            let user = try #require(row["user"] as? String)
            let quoted = user.contains(",") ? "\"" + user.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : user
            #expect(line.hasPrefix("\(quoted),\(row["requests"] as? Int ?? -1),"))
            #expect(line.contains(",\(row["cost_usd"] as? String ?? "?"),"))
        }
        #expect(app.send("GET", "/v1/spend.csv?group_by=nobody", key: app.viewerKey).status == 400)
        #expect(app.send("GET", "/v1/spend.csv", key: app.routerKey).status == 403)
    }

    @Test func whoamiNamesTheKeysRole() throws {
        let app = try TestApp()
        for (key, role) in [(app.viewerKey, "viewer"), (app.adminKey, "admin"), (app.routerKey, "router")] {
            let answer = try JSONSupport.object(app.send("GET", "/v1/whoami", key: key).body)
            #expect(answer["role"] as? String == role)
        }
        #expect(app.send("GET", "/v1/whoami", key: nil).status == 401)
    }
}

/// CSV cells a sender controls cannot become spreadsheet formulas; figures stay exact.
@Suite struct CSVInjectionTests {
    @Test func userControlledCellsAreNeutralisedAndMoneyIsNot() throws {
        let app = try TestApp()
        let time = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
        let users = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rcarriage", "plain", "quote\"and,comma", "line\nbreak"]
        var events = users.enumerated().map { EventJSON.event("u\($0.offset)", time: time, extra: [("user", .string($0.element))]) }
        // An escalation has no baseline: its savings are negative, a figure starting with "-".
        events.append(EventJSON.event("esc", time: time, extra: [("user", "escalated"), ("attempt", 2), ("reason", "escalation")]))
        #expect(app.postEvents(events).status == 200)
        let csv = app.send("GET", "/v1/spend.csv?group_by=user", key: app.viewerKey).bodyText
        for user in ["'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")", "'+1+1", "'-2", "'@SUM(A1)", "'\tx", "plain", "\"quote\"\"and,comma\"", "\"line\nbreak\""] {
            #expect(csv.contains(user), "\(user) in \(csv)")
        }
        #expect(csv.contains("\"'\rcarriage\""))
        let escalated = try #require(csv.split(separator: "\r\n").first { $0.hasPrefix("escalated,") })
        #expect(escalated.contains(",-0.") && !escalated.contains("'"), "figures are never prefixed: \(escalated)")
        let raw = app.send("GET", "/v1/spend.csv?group_by=user&raw=true", key: app.viewerKey).bodyText
        #expect(raw.contains("\r\n=HYPERLINK(") || raw.contains("\r\n\"=HYPERLINK("), "raw=true keeps the bytes")
        #expect(app.send("GET", "/v1/spend.csv?raw=maybe", key: app.viewerKey).status == 400)
    }
}
