import BursarCore
import BursarClient
import BursarStore
import Foundation
import Logging
import Synchronization

/// Posts alerts as JSON to webhook URLs from its own thread, retrying with backoff (1, 2, 4,
/// 8 s), so that a slow or failing receiver never slows ingest.
public final class AlertNotifier: Sendable {
    struct Delivery {
        var url: String
        var body: [UInt8]
        var attempt: Int
        var due: ContinuousClock.Instant
    }

    public static let maximumAttempts = 5

    public let urls: [String]
    private let pending = Locked<[Delivery]>([])
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let delivered = Atomic<Int>(0)
    private let logger = Logger(label: "bursar.alerts")

    /// `urls` must be `http://host:port/path`.
    public init(urls: [String]) {
        self.urls = urls
        guard !urls.isEmpty else { return }
        let thread = Thread { [self] in run() }
        thread.name = "bursar-alert-webhooks"
        thread.start()
    }

    /// Whether a URL is one this notifier can post to.
    public static func accepts(_ url: String) -> Bool {
        HTTPConnection(url: url) != nil
    }

    public var deliveredCount: Int { delivered.load(ordering: .relaxed) }

    public func send(_ alerts: [BudgetAlert]) {
        guard !urls.isEmpty, !alerts.isEmpty else { return }
        pending.withLock { pending in
            for alert in alerts {
                for url in urls {
                    pending.append(Delivery(url: url, body: Array(alert.document.utf8), attempt: 1, due: .now))
                }
            }
        }
        wakeup.signal()
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        wakeup.signal()
    }

    private func run() {
        while !stopping.load(ordering: .relaxed) {
            _ = wakeup.wait(timeout: .now() + 0.2)
            let now = ContinuousClock.now
            let due = pending.withLock { pending -> [Delivery] in
                let due = pending.filter { $0.due <= now }
                pending.removeAll { $0.due <= now }
                return due
            }
            for delivery in due { post(delivery) }
        }
    }

    private func post(_ delivery: Delivery) {
        let path = delivery.url.dropFirst("http://".count).drop { $0 != "/" }
        let connection = HTTPConnection(url: delivery.url)
        let status = (try? connection?.send("POST", path.isEmpty ? "/" : String(path),
                                            headers: ["Content-Type": "application/json", "User-Agent": "bursar"],
                                            body: delivery.body))?.status
        connection?.close()
        if let status, (200..<300).contains(status) {
            delivered.add(1, ordering: .relaxed)
            return
        }
        guard delivery.attempt < Self.maximumAttempts else {
            logger.error("alert webhook \(delivery.url) failed \(Self.maximumAttempts) times; giving up on this alert")
            return
        }
        var retry = delivery
        retry.attempt += 1
        retry.due = .now + .seconds(1 << (delivery.attempt - 1))
        logger.warning("alert webhook \(delivery.url) answered \(status.map(String.init) ?? "nothing"); retrying")
        pending.withLock { $0.append(retry) }
    }
}
