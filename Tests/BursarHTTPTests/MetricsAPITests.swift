import BursarCore
@testable import BursarHTTP
import BursarTesting
import Foundation
import Testing

@Suite struct MetricsAPITests {
    /// The value of one sample line, found by its exact name and labels.
    func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func countersSpendAndBudgetsAppearInTheExpositionFormat() throws {
        let app = try TestApp()
        let time = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
        let events = (0..<3).map { EventJSON.event("m\($0)", time: time, extra: [("user", "secret-user@example.com")]) }
            + [.object([("id", "bad")])]
        #expect(app.postEvents(events).status == 200)
        #expect(app.postEvents([EventJSON.event("m0", time: time)]).status == 200)
        #expect(app.send("PUT", "/v1/budgets/all", key: app.adminKey, body: Array(#"{"period":"month","limit_usd":"100.00"}"#.utf8)).status == 201)
        _ = app.send("GET", "/v1/bundle", key: app.routerKey)

        let response = app.send("GET", "/metrics", key: app.viewerKey)
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.bodyText
        #expect(sample(text, #"bursar_ingest_events_total{result="accepted"}"#) == 3)
        #expect(sample(text, #"bursar_ingest_events_total{result="duplicate"}"#) == 1)
        #expect(sample(text, #"bursar_ingest_events_total{result="rejected"}"#) == 1)
        #expect(sample(text, #"bursar_bundle_requests_total{status="200"}"#) == 1)
        #expect(sample(text, "bursar_ingest_commit_duration_seconds_count") == 2)
        let spend = try app.getJSON("/v1/spend?group_by=tier")
        let cost = try #require(Double((spend["total"] as? [String: Any])?["cost_usd"] as? String ?? ""))
        #expect(sample(text, #"bursar_spend_usd_total{tier="standard",provider="openai",model="gpt-4o-mini"}"#) == cost)
        #expect(sample(text, #"bursar_tokens_total{tier="standard",provider="openai",model="gpt-4o-mini",kind="input"}"#) == 3000)
        #expect(sample(text, #"bursar_budget_limit_usd{budget="all"}"#) == 100)
        #expect(!text.contains("secret-user"), "never a series per user")
        #expect(app.send("GET", "/metrics", key: app.routerKey).status == 403)
        #expect(app.send("GET", "/metrics", key: nil).status == 401)
    }

    /// Every family the README's Prometheus paragraph names (`bursar_a_{b,c}_d` spelled out)
    /// is in the exposition with its TYPE line; and no family goes unnamed there.
    @Test func everyFamilyTheREADMEListsIsExported() throws {
        let readme = try String(contentsOf: ServerProcess.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let paragraph = try #require(readme.components(separatedBy: "**Prometheus**").dropFirst().first?
            .components(separatedBy: "Scrape it with").first)
        var listed: Set<String> = []
        for match in paragraph.matches(of: /`(bursar_[a-z_]*)(\{([a-z,]+)\})?([a-z_]*)/) {
            let (head, choices, tail) = (String(match.1), match.3, String(match.4))
            // `bursar_budget_{limit,spent,remaining}_usd{budget}`: braces followed by more name are alternatives.
            if let choices, !tail.isEmpty {
                for choice in choices.split(separator: ",") { listed.insert(head + choice + tail) }
            } else {
                listed.insert(head)
            }
        }
        #expect(listed.count >= 20, "\(listed.sorted())")
        // On a file with a cap, so that the database's room is known.
        let directory = NSTemporaryDirectory() + "bursar-metrics-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = try TestApp(path: directory + "/bursar.db", maximumBytes: 64 << 20)
        _ = app.postEvents([EventJSON.event("m1", time: Timestamp.format(app.clock.now() - 60_000))])
        _ = app.send("PUT", "/v1/budgets/all", key: app.adminKey, body: Array(#"{"period":"month","limit_usd":"100.00"}"#.utf8))
        let text = app.send("GET", "/metrics", key: app.viewerKey).bodyText
        let exported = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("# TYPE ") else { return nil }
            return line.split(separator: " ").dropFirst(2).first.map(String.init)
        })
        #expect(listed.subtracting(exported).isEmpty, "listed in the README, not exported: \(listed.subtracting(exported).sorted())")
        #expect(exported.subtracting(listed).isEmpty, "exported, not in the README: \(exported.subtracting(listed).sorted())")
        let room = try #require(Self.value(of: "bursar_database_room_bytes", in: text))
        let used = try #require(Self.value(of: "bursar_database_bytes", in: text))
        #expect(used > 0 && room > 0 && used + room == Double(64 << 20), "used \(used), room \(room)")
        #expect(Self.value(of: "bursar_singleton_lease_held", in: text) == 1, "always 1 on SQLite")
    }

    static func value(of sample: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    @Test func labelValuesAreEscaped() {
        #expect(PrometheusText.escape("a\"b\\c\nd") == #"a\"b\\c\nd"#)
    }
}
