import Locking
import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import MicroHTTPDServer
import Synchronization
import Testing

/// A loopback receiver that refuses its first delivery, then records what it gets.
final class WebhookReceiver: Responder {
    let received = Locked<[String]>([])
    let attempts = Atomic<Int>(0)

    func respond(to request: Request) -> Reply {
        if attempts.add(1, ordering: .relaxed).newValue == 1 {
            return .response(Response(status: 503))
        }
        received.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
        return .response(Response(status: 204))
    }
}

@Suite struct AlertWebhookTests {
    @Test func budgetStateChangesAreRecordedAndPostedWithARetry() throws {
        let receiver = WebhookReceiver()
        var configuration = MicroHTTPDServer.Configuration()
        configuration.port = 0
        let listener = MicroHTTPDServer(configuration: configuration, responder: receiver, logger: .forTests)
        let port = try listener.start()
        defer { listener.stop() }

        let app = try TestApp(runningFrom: TestClock.midPeriod, alertWebhooks: ["http://127.0.0.1:\(port)/hooks/bursar"])
        #expect(app.send("PUT", "/v1/budgets/small", key: app.adminKey,
                         body: Array(#"{"period":"day","limit_usd":"0.01","warn_at":0.5,"action":"alert"}"#.utf8)).status == 201)
        let now = Timestamp.format(TestClock.midPeriod)
        #expect(app.postEvents([EventJSON.event("w1", time: now, input: 1_000_000, output: 0)]).status == 200)

        var bodies: [String] = []
        for _ in 0..<50 where bodies.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            bodies = receiver.received.withLock { $0 }
        }
        #expect(receiver.attempts.load(ordering: .relaxed) >= 2, "the first attempt failed and was retried")
        let alert = try JSONSupport.object(try #require(bodies.first))
        #expect(alert["budget"] as? String == "small" && alert["from"] as? String == "ok" && alert["to"] as? String == "exceeded")

        let recorded = try #require(try app.getJSON("/v1/alerts")["alerts"] as? [[String: Any]])
        #expect(recorded.count == 1 && recorded[0]["to"] as? String == "exceeded")
    }
}
