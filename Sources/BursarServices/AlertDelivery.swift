import BursarCore
import BursarHTTPClient
import BursarStorage
import Foundation
import Locking
import Logging
import Synchronization

/// Delivers budget alerts to webhooks (`http://` or `https://`, host names welcome): each
/// webhook on a thread of its own, so a receiver that never answers delays only its own
/// alerts. Deliveries wait in the database (`webhook_deliveries`) until the receiver answers
/// 2xx; a failed attempt is retried after 1, 2, 4 … seconds (at most `maximumDelaySeconds`),
/// and after `maximumAttempts` it is given up, logged and counted in `/metrics`.
public final class AlertDelivery: Sendable {
    public static let maximumAttempts = 10
    public static let maximumDelaySeconds: Int64 = 300
    /// A receiver has this long to connect and answer each attempt.
    public static let attemptTimeoutSeconds: Int64 = 10

    public let urls: [String]
    private let database: any AlertStore & SingletonLease
    private let caFile: String?
    /// Made by `start` (it reads the CA file and starts the HTTP client's threads).
    private let client = Locked<WebClient?>(nil)
    private let clock: WallClock
    /// The delay after the n-th failed attempt (n from 1), in milliseconds.
    private let delayAfterFailure: @Sendable (Int) -> Int64
    /// One per webhook, in the order of `urls`.
    private let services: [BackgroundService]
    private let failedAttempts = Atomic<Int>(0)
    /// Ends the attempts in flight at `stop`.
    private let cancellation = WebClient.Cancellation()
    private let logger: Logger

    /// `urls` must each pass `WebClient.accepts`; `caFile` pins the CA their certificates chain to.
    public init(urls: [String], database: any AlertStore & SingletonLease, clock: WallClock, caFile: String? = nil, logger: Logger,
                delayAfterFailure: @escaping @Sendable (Int) -> Int64 = AlertDelivery.backoff) {
        self.urls = urls
        self.logger = logger
        self.database = database
        self.clock = clock
        self.delayAfterFailure = delayAfterFailure
        self.caFile = caFile
        services = urls.map { _ in BackgroundService(name: "bursar-webhook") }
    }

    /// Starts delivering (one thread per webhook).
    public func start() {
        guard !urls.isEmpty else { return }
        do {
            try client.withLock { client in
                if client == nil { client = try WebClient(options: WebClient.Options(caFile: caFile)) }
            }
        } catch {
            logger.error("alert webhooks cannot be reached: no HTTP client (\(error)); every attempt will fail")
        }
        for (url, service) in zip(urls, services) {
            clock.observeMoves { service.wake() }
            service.start { [self] in deliverDue(to: url, service) }
        }
    }

    /// 1, 2, 4 … seconds after the n-th failed attempt, at most `maximumDelaySeconds`.
    public static func backoff(_ failures: Int) -> Int64 {
        min(Int64(1) << min(failures - 1, 20), maximumDelaySeconds) * 1000
    }

    /// How logs and `/metrics` name a webhook: scheme, host and port, and a digest of the
    /// whole URL to tell apart two on one host (a webhook's path or user part often holds
    /// its secret, which viewers must not read).
    public static func label(_ url: String) -> String {
        let digest = url.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
        let hex = String(digest, radix: 16)
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "webhook-" + hex }
        return "\(scheme)://\(host)\(parsed.port.map { ":\($0)" } ?? "")/…#\(String(repeating: "0", count: 8 - hex.count) + hex)"
    }

    /// Whether a URL is one this delivery can post to.
    public static func accepts(_ url: String) -> Bool { WebClient.accepts(url) }

    /// Failed attempts since start (each one logged).
    public var failedAttemptCount: Int { failedAttempts.load(ordering: .relaxed) }

    /// New deliveries were queued in the database: look for them now.
    public func wake() {
        for service in services { service.wake() }
    }

    /// Stops the threads, ending the attempts in flight (what is undelivered stays queued).
    public func stop() {
        cancellation.cancel()
        for service in services { service.stop() }
    }

    /// One pass for one webhook: every delivery due, attempted in order; returns the pause
    /// until the next is due (a moved clock, or a new alert, wakes it sooner).
    private func deliverDue(to url: String, _ service: BackgroundService) -> Int64 {
        // One replica delivers (the others wait to take over if it dies).
        guard database.holdsSingletonLease() else { return 2_000 }
        do {
            for delivery in try database.dueDeliveries(to: url, now: clock()) where !service.isStopping {
                try attempt(delivery)
            }
            let next = try database.nextDeliveryDue(to: url)
            return max(next.map { min($0 - clock(), WallClock.longestSleepMillis) } ?? WallClock.longestSleepMillis, 20)
        } catch {
            // The database did not answer: tried again in a second, not at the next deadline.
            logger.error("webhook deliveries to \(Self.label(url)) could not be read or recorded: \(error)")
            return 1_000
        }
    }

    private func attempt(_ delivery: WebhookDelivery) throws {
        let outcome: String
        do {
            guard let client = client.withLock({ $0 }) else { throw WebClient.Failure.failed("no HTTP client") }
            let reply = try client.send("POST", delivery.url, headers: ["Content-Type": "application/json", "User-Agent": "bursar"],
                                        body: Array(delivery.body.utf8), timeoutSeconds: Self.attemptTimeoutSeconds,
                                        cancellation: cancellation)
            if (200..<300).contains(reply.status) {
                try database.markDelivered(delivery.id, now: clock())
                return
            }
            outcome = "answered \(reply.status)"
        } catch WebClient.Failure.cancelled {
            return  // stopping: the delivery stays due as it was
        } catch let failure as WebClient.Failure {
            outcome = failure.description
        }
        failedAttempts.add(1, ordering: .relaxed)
        let failures = delivery.attempts + 1
        if failures >= Self.maximumAttempts {
            logger.error("alert webhook \(Self.label(delivery.url)) \(outcome); \(failures) attempts failed, giving up on delivery \(delivery.id)")
            try database.markFailedAttempt(delivery.id, error: outcome, retryAt: nil, now: clock())
        } else {
            let delay = delayAfterFailure(failures)
            logger.warning("alert webhook \(Self.label(delivery.url)) \(outcome); attempt \(failures) failed, retrying in \(delay) ms")
            try database.markFailedAttempt(delivery.id, error: outcome, retryAt: clock() + delay, now: clock())
        }
    }
}
