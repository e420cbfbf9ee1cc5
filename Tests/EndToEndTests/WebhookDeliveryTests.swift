import Locking
import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarHTTPClient
import BursarSQLite
import BursarStorage
import BursarTesting
import Foundation
import MicroHTTPDServer
import Synchronization
import Testing

/// A receiver that records what it gets and answers `status` (or never answers).
final class RecordingReceiver: Responder {
    let received = Locked<[String]>([])
    /// The answers a hanging receiver holds back (released before its server stops).
    let held = Locked<[PendingResponse]>([])
    let attempts = Atomic<Int>(0)
    let status = Atomic<Int>(204)
    let hangs: Bool

    init(hangs: Bool = false) { self.hangs = hangs }

    func respond(to request: Request) -> Reply {
        attempts.add(1, ordering: .relaxed)
        if hangs {
            let pending = PendingResponse()
            held.withLock { $0.append(pending) }
            return .pending(pending)
        }
        let status = self.status.load(ordering: .relaxed)
        if (200..<300).contains(status) { received.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) } }
        return .response(Response(status: status))
    }

    /// Answers what it held back (a server must not stop with suspended connections).
    func release() {
        for pending in held.withLock({ $0 }) { pending.complete(Response(status: 204)) }
    }

    /// Served on a free port (with TLS when `certificate` is given).
    func serve(certificate: TestCertificate? = nil) throws -> (server: MicroHTTPDServer, port: UInt16) {
        var configuration = MicroHTTPDServer.Configuration()
        configuration.port = 0
        configuration.tlsCertificatePEM = certificate?.certificatePEM
        configuration.tlsKeyPEM = certificate?.keyPEM
        let server = MicroHTTPDServer(configuration: configuration, responder: self, logger: .forTests)
        return (server, try server.start())
    }
}

@Suite struct WebhookDeliveryTests {
    /// Events of the app's own day (its clock runs from mid-period: no day begins nearby).
    static let now = Timestamp.format(TestClock.midPeriod)

    /// A budget of $0.01 a day, exceeded by one event.
    func exceedBudget(_ app: TestApp, id: String = "e1") {
        _ = app.send("PUT", "/v1/budgets/small", key: app.adminKey,
                     body: Array(#"{"period":"day","limit_usd":"0.01","action":"alert"}"#.utf8))
        _ = app.postEvents([EventJSON.event(id, time: Self.now, input: 1_000_000, output: 0)])
    }

    @Test func aReceiverThatNeverAnswersDelaysOnlyItsOwnAlerts() throws {
        let hanging = RecordingReceiver(hangs: true)
        let healthy = RecordingReceiver()
        let (hangingServer, hangingPort) = try hanging.serve()
        let (healthyServer, healthyPort) = try healthy.serve()
        defer {
            hanging.release()
            // Drained, not stopped: a request still suspended would abort the process.
            hangingServer.drain(timeout: .seconds(10))
            healthyServer.drain(timeout: .seconds(10))
        }
        let app = try TestApp(runningFrom: TestClock.midPeriod, alertWebhooks: ["http://127.0.0.1:\(hangingPort)/hook", "http://localhost:\(healthyPort)/hook"])
        exceedBudget(app)
        #expect(eventually { !healthy.received.withLock { $0.isEmpty } }, "the healthy webhook got its alert (by host name)")
        // Its own service may reach it after the healthy one was served (seen under ThreadSanitizer).
        #expect(eventually { hanging.attempts.load(ordering: .relaxed) >= 1 }, "the hanging one was tried")
        #expect(hanging.attempts.load(ordering: .relaxed) == 1, "the hanging one is still on its first attempt")
        let healthyLabel = AlertDelivery.label("http://localhost:\(healthyPort)/hook")
        let hangingLabel = AlertDelivery.label("http://127.0.0.1:\(hangingPort)/hook")
        #expect(healthyLabel.hasPrefix("http://localhost:\(healthyPort)/…#") && !healthyLabel.contains("hook"), "the path (a secret) is not shown")
        // Marked delivered once the receiver's answer is back (just after it received the alert).
        var metrics = ""
        #expect(eventually {
            metrics = app.send("GET", "/metrics", key: app.viewerKey).bodyText
            return metrics.contains(#"bursar_webhook_deliveries{webhook="\#(healthyLabel)",state="delivered"} 1"#)
        }, "\(metrics)")
        #expect(metrics.contains(#"bursar_webhook_deliveries{webhook="\#(hangingLabel)",state="pending"} 1"#))
    }

    @Test func undeliveredAlertsSurviveARestart() throws {
        let receiver = RecordingReceiver()
        receiver.status.store(503, ordering: .relaxed)
        let (server, port) = try receiver.serve()
        defer { server.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let url = "http://127.0.0.1:\(port)/hook"
        do {
            let app = try TestApp(path: path, runningFrom: TestClock.midPeriod, alertWebhooks: [url])
            exceedBudget(app)
            #expect(eventually { receiver.attempts.load(ordering: .relaxed) >= 1 })
        }
        // Bursar restarts; the receiver is well again.
        receiver.status.store(204, ordering: .relaxed)
        let restarted = try TestApp(path: path, runningFrom: TestClock.midPeriod, alertWebhooks: [url])
        #expect(eventually(within: 15) { receiver.received.withLock { $0.count } >= 1 }, "the alert queued before the restart arrives")
        let alert = try JSONSupport.object(try #require(receiver.received.withLock { $0.first }))
        #expect(alert["budget"] as? String == "small" && alert["to"] as? String == "exceeded")
        // Marked delivered once the receiver's answer is back (just after it received the alert);
        // then nothing is due, so a second copy could only have come before.
        #expect(try eventually { try restarted.database.webhookTallies().first == WebhookTally(url: url, pending: 0, delivered: 1, givenUp: 0) })
        #expect(receiver.received.withLock { $0.count } == 1, "it arrived once")
    }

    @Test func deliveriesBackOffThenGiveUpAndAreCounted() throws {
        let receiver = RecordingReceiver()
        receiver.status.store(500, ordering: .relaxed)
        let (server, port) = try receiver.serve()
        defer { server.stop() }
        let database = try SQLiteDatabase()
        let url = "http://127.0.0.1:\(port)/hook"
        let clock = Locked<Int64>(1_000_000)
        let delays = Locked<[Int]>([])
        let delivery = AlertDelivery(urls: [url], database: database, clock: WallClock { clock.withLock { $0 } }, logger: .forTests) { failures in
            delays.withLock { $0.append(failures) }
            return AlertDelivery.backoff(failures)
        }
        delivery.start()
        defer { delivery.stop() }
        let budget = try Budget.parse(id: "b", .object([("period", "day"), ("limit_usd", "1")]), tiers: nil, now: 1_000_000)
        let exceeded = BudgetStatus(budget: budget, periodStart: 0, periodEnd: 86_400_000, spent: Money(nanos: 2_000_000_000), now: 1_000_000)
        _ = try database.recordStateChanges([exceeded], now: 1_000_000, webhooks: [url])
        delivery.wake()
        // Each failure waits 1, 2, 4 … s of the test clock before the next attempt.
        func recordedAttempts() -> Int { (try? database.dueDeliveries(to: url, now: .max).first?.attempts) ?? -1 }
        for attempt in 1..<AlertDelivery.maximumAttempts {
            #expect(eventually { recordedAttempts() == attempt }, "attempt \(attempt) failed and was recorded")
            #expect(try database.dueDeliveries(to: url, now: clock.withLock { $0 }).isEmpty, "the next attempt is not due yet")
            Thread.sleep(forTimeInterval: 0.2)
            #expect(receiver.attempts.load(ordering: .relaxed) == attempt, "no attempt before its time")
            clock.withLock { $0 += AlertDelivery.backoff(attempt) }
            delivery.wake()
        }
        #expect(eventually { (try? database.webhookTallies().first?.givenUp) == 1 })
        #expect(delays.withLock { $0 } == Array(1..<AlertDelivery.maximumAttempts))
        #expect(AlertDelivery.backoff(1) == 1_000 && AlertDelivery.backoff(4) == 8_000 && AlertDelivery.backoff(30) == 300_000)
        #expect(delivery.failedAttemptCount == AlertDelivery.maximumAttempts)
    }

    @Test func httpsWebhooksAreVerifiedAgainstThePinnedCA() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let certificate = try TestCertificate(in: directory)
        let receiver = RecordingReceiver()
        let (server, port) = try receiver.serve(certificate: certificate)
        defer { server.stop() }
        let url = "https://localhost:\(port)/hook"
        // Not trusted by the system: refused, and counted as a failed attempt.
        let untrusting = try TestApp(runningFrom: TestClock.midPeriod, alertWebhooks: [url])
        exceedBudget(untrusting)
        #expect(eventually { untrusting.application.alerts.failedAttemptCount >= 1 })
        #expect(receiver.received.withLock { $0.isEmpty })
        // With the CA pinned: delivered.
        let database = try SQLiteDatabase()
        let delivery = AlertDelivery(urls: [url], database: database, clock: .system, caFile: certificate.certificatePath, logger: .forTests)
        delivery.start()
        defer { delivery.stop() }
        try Self.recordCrossing(in: database, for: url)
        delivery.wake()
        #expect(eventually { receiver.received.withLock { $0.count } == 1 })
    }

    /// A budget's crossing recorded with a delivery to `url`, as the monitor records one.
    static func recordCrossing(in database: SQLiteDatabase, for url: String) throws {
        let budget = try Budget.parse(id: "b", .object([("period", "day"), ("limit_usd", "1")]), tiers: nil, now: 0)
        _ = try database.recordStateChanges([BudgetStatus(budget: budget, periodStart: 0, periodEnd: 1, spent: Money(nanos: 2_000_000_000), now: 0)],
                                            now: 0, webhooks: [url])
    }

    @Test func anHTTPSWebhookWhoseCertificateNamesAnotherHostIsRefused() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let certificate = try TestCertificate(in: directory, names: "DNS:localhost")
        let receiver = RecordingReceiver()
        let (server, port) = try receiver.serve(certificate: certificate)
        defer { server.stop() }
        let database = try SQLiteDatabase()
        let url = "https://127.0.0.1:\(port)/hook"  // the certificate does not name 127.0.0.1
        let delivery = AlertDelivery(urls: [url], database: database, clock: .system, caFile: certificate.certificatePath, logger: .forTests)
        delivery.start()
        defer { delivery.stop() }
        try Self.recordCrossing(in: database, for: url)
        delivery.wake()
        #expect(eventually { delivery.failedAttemptCount >= 1 }, "the attempt failed")
        #expect(receiver.received.withLock { $0.isEmpty }, "nothing was delivered to a host the certificate does not name")
    }
}
