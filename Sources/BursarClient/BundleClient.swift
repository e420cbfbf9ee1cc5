import Locking
import BursarCore
import BursarHTTPClient
import Dispatch
import Foundation
import Logging
import Synchronization

/// Keeps a router's bundle current: long polls Bursar with its ETag, verifies each new
/// bundle's signature before using it, keeps the last good one on disk (and starts from it
/// when Bursar is unreachable), and reports every apply or rejection with `POST /v1/status`.
///
/// A 401 or 403 stops polling and is surfaced in `failure`: a router with a bad key should
/// page someone, not retry forever. Other errors are retried with jittered backoff.
public final class BundleClient: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: BursarEndpoint
        /// This router instance, as `/v1/fleet` shows it.
        public var instanceID: String
        /// Where the last good bundle is kept; nil keeps nothing.
        public var cacheDirectory: String?
        /// The bundle key (base64 Ed25519) to trust. Nil trusts the key Bursar publishes at
        /// first contact and remembers it with the cached bundle; pin it in production.
        public var publicKey: String?
        /// How long each poll waits for a change (`Prefer: wait`), at most 60.
        public var waitSeconds = 30
        /// How often to report status when nothing changes (keeps the instance from SILENT).
        public var statusIntervalSeconds = 30
        public var backoff = Backoff()
        /// Tells the time for staleness (a test moves it).
        public var clock: WallClock = .system
        /// Where the client logs the alarm of a stale bundle (and a fresh one again); by
        /// default, through the process's `LoggingSystem` as `bursar.bundle-client`.
        public var logger = Logger(label: "bursar.bundle-client")

        public init(endpoint: BursarEndpoint, instanceID: String, cacheDirectory: String? = nil, publicKey: String? = nil) {
            self.endpoint = endpoint
            self.instanceID = instanceID
            self.cacheDirectory = cacheDirectory
            self.publicKey = publicKey
        }
    }

    /// The bundle in use and where it came from.
    public struct Snapshot: Sendable {
        public enum Origin: String, Sendable { case server, disk }
        public var bundle: RoutingBundle
        public var engine: PolicyEngine?
        public var etag: String
        public var origin: Origin
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Bursar refused the key (401 or 403); polling stopped.
        case refused(status: Int, message: String)

        public var description: String {
            switch self {
            case .refused(let status, let message): return "Bursar refused the key (\(status)): \(message)"
            }
        }
    }

    private struct State {
        var snapshot: Snapshot?
        var failure: Failure?
        var lastError: String?
        var rejected = 0
        var applied = 0
        /// The alarm for a stale bundle was raised (and not yet cleared by a fresh one).
        var staleAlarm = false
    }

    /// Where polling stands between passes (only the polling service touches it).
    private struct Loop {
        var backoff: Backoff
        /// When status was last reported (monotonic), nil to report at the next chance.
        var lastStatus: ContinuousClock.Instant?
        /// The first poll after a start or an error asks at once (no wait), so that a router
        /// running from its cached bundle reports to Bursar as soon as it is back.
        var contacted = false
    }

    public let configuration: Configuration
    private let state = Locked(State())
    private let loop: Locked<Loop>
    private let service = BackgroundService(name: "bursar-bundle-client")
    private let polling = Atomic<Bool>(false)
    /// Set by `stop` before it cancels the poll in flight, so the poll's end is not an error.
    private let stopping = Atomic<Bool>(false)
    /// Ends the poll in flight when the client stops.
    private let cancellation = WebClient.Cancellation()
    private let cache: BundleCache?
    private let trustedKey = Locked<String?>(nil)
    private var logger: Logger { configuration.logger }

    public init(configuration: Configuration) {
        self.configuration = configuration
        loop = Locked(Loop(backoff: configuration.backoff))
        cache = configuration.cacheDirectory.map(BundleCache.init)
        trustedKey.withLock { $0 = configuration.publicKey }
        loadCached()
    }

    deinit { stop() }

    /// The bundle in use (nil before the first one arrives, when none was cached).
    public var snapshot: Snapshot? { state.withLock { $0.snapshot } }

    /// Why polling stopped for good, if it did.
    public var failure: Failure? { state.withLock { $0.failure } }

    /// The last error met (kept after recovery, for logs).
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Whether the bundle in use is past its signed `stale_after`: Bursar issues a fresh one
    /// well before, so this router has not heard from Bursar (it is down, or something in
    /// between answers for it) and may be missing budgets and overrides. It keeps routing by
    /// the bundle; raise an alarm (the client logs an error when it turns stale).
    public var isStale: Bool {
        snapshot?.bundle.isStale(at: configuration.clock()) ?? false
    }

    /// Bundles refused because their signature did not verify or they could not be read.
    public var rejectedCount: Int { state.withLock { $0.rejected } }

    /// Starts polling on a thread of its own (once; later calls do nothing).
    public func start() {
        guard !service.isStarted, !stopping.load(ordering: .sequentiallyConsistent) else { return }
        polling.store(true, ordering: .relaxed)
        service.start { [self] in
            let pause = pass()
            if pause == BackgroundService.finish { polling.store(false, ordering: .relaxed) }
            return pause
        }
    }

    /// Whether the client still polls: false before `start`, after `stop`, and once Bursar
    /// refused the key (`failure`).
    public var isPolling: Bool { polling.load(ordering: .relaxed) }

    /// Stops polling and waits for the poll thread to end.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        cancellation.cancel()
        service.stop()
        polling.store(false, ordering: .relaxed)
    }

    /// Waits until the bundle in use satisfies `condition`, up to `timeout` seconds.
    public func wait(timeout: Double, until condition: (Snapshot) -> Bool) -> Bool {
        let deadline = ContinuousClock.Instant.afterSeconds(timeout)
        while ContinuousClock.now < deadline {
            if let snapshot, condition(snapshot) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    // MARK: - Polling

    /// One poll (and a status report when one is due); returns the pause before the next, in
    /// milliseconds, or `BackgroundService.finish` once Bursar refused the key.
    private func pass() -> Int64 {
        var loop = self.loop.withLock { $0 }
        defer { self.loop.withLock { $0 = loop } }
        do {
            try ensureKey()
            let asked = ContinuousClock.now
            let waited = loop.contacted && snapshot != nil
            let changed = try pollOnce(wait: loop.contacted)
            loop.contacted = true
            loop.backoff.reset()
            checkFreshness()
            if changed {
                loop.lastStatus = .now
            } else if loop.lastStatus.map({ ContinuousClock.now - $0 >= .seconds(configuration.statusIntervalSeconds) }) ?? true {
                report(applied: snapshot?.bundle.revision, attempted: nil, error: nil)
                loop.lastStatus = .now
            }
            // A poll told to wait but answered "not modified" at once (a proxy answering for
            // Bursar, or a server draining) is not asked again at once: no tight loop.
            return waited && !changed && ContinuousClock.now - asked < .seconds(1) ? 1_000 : 0
        } catch let failure as Failure {
            state.withLock {
                $0.failure = failure
                $0.lastError = failure.description
            }
            return BackgroundService.finish
        } catch {
            guard !stopping.load(ordering: .sequentiallyConsistent) else { return BackgroundService.finish }
            loop.contacted = false
            loop.lastStatus = nil
            state.withLock { $0.lastError = "\(error)" }
            checkFreshness()
            return Int64(loop.backoff.nextDelay() * 1000)
        }
    }

    /// One poll; true when a new bundle was applied or refused (a status was reported).
    private func pollOnce(wait: Bool) throws -> Bool {
        var headers: [String: String] = [:]
        if let current = snapshot {
            headers["If-None-Match"] = current.etag
            if wait { headers["Prefer"] = "wait=\(min(60, configuration.waitSeconds))" }
        }
        let reply = try configuration.endpoint.send("GET", "/v1/bundle", headers: headers,
                                                    timeoutSeconds: Int64(configuration.waitSeconds + 15), cancellation: cancellation)
        switch reply.status {
        case 200:
            try receive(reply)
            return true
        case 304 where snapshot != nil:
            return false
        case 401, 403:
            throw Failure.refused(status: reply.status, message: Self.errorMessage(reply))
        default:
            throw WebClient.Failure.failed("GET /v1/bundle answered \(reply.status): \(Self.errorMessage(reply))")
        }
    }

    /// Verifies, reads and applies a new bundle, or refuses it; either way reports status.
    private func receive(_ reply: WebClient.Reply) throws {
        let etag = reply.headers["etag"] ?? ""
        // The content's revision, then its issue's serial and time.
        let revision = String(etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).prefix { $0 != "-" })
        let signature = reply.headers["bursar-signature"] ?? ""
        let key = trustedKey.withLock { $0 } ?? ""
        guard BundleVerifier.verify(header: signature, body: reply.body, publicKeyBase64: key) else {
            refuse(revision: revision, code: "signature_invalid", message: "the bundle's signature does not verify with key \(key.prefix(12))…")
            throw WebClient.Failure.failed("a bundle with a bad signature was refused")
        }
        let bundle: RoutingBundle
        do {
            bundle = try RoutingBundle.parse(reply.body)
        } catch {
            refuse(revision: revision, code: "bundle_unreadable", message: error.message)
            throw WebClient.Failure.failed("an unreadable bundle was refused")
        }
        // A correctly signed but older bundle (replayed by whoever sits between us and Bursar)
        // never replaces a newer one.
        if let held = snapshot?.bundle, Self.isOlder(bundle, than: held) {
            refuse(revision: bundle.revision, code: "bundle_replayed",
                   message: "bundle serial \(bundle.serial) (issued \(Timestamp.format(bundle.issuedAt))) is older than serial \(held.serial) in use")
            throw WebClient.Failure.failed("an older bundle was refused")
        }
        apply(Snapshot(bundle: bundle, engine: PolicyEngine(bundle: bundle), etag: etag, origin: .server))
        do {
            try cache?.save(BundleCache.Entry(body: reply.body, etag: etag, signature: signature, publicKey: key))
        } catch {
            state.withLock { $0.lastError = "cannot keep the bundle on disk: \(error)" }
        }
        report(applied: bundle.revision, attempted: nil, error: nil)
    }

    /// Whether `bundle` was issued before `held` (`RoutingBundle.isIssued(before:)`).
    public static func isOlder(_ bundle: RoutingBundle, than held: RoutingBundle) -> Bool {
        bundle.isIssued(before: held)
    }

    /// Raises the alarm once when the bundle in use turns stale, and clears it when a fresh
    /// one arrives.
    private func checkFreshness() {
        let stale = isStale
        let turned = state.withLock { state in
            defer { state.staleAlarm = stale }
            return state.staleAlarm != stale
        }
        guard turned, let bundle = snapshot?.bundle else { return }
        let since = bundle.staleAfter.map(Timestamp.format) ?? "?"
        if stale {
            logger.error("the bundle in use is stale: Bursar has not issued a fresh one since \(Timestamp.format(bundle.issuedAt)) (stale after \(since)); routing goes on by it, but budgets and overrides may be out of date",
                         metadata: ["revision": "\(bundle.revision)", "last_error": "\(lastError ?? "none")"])
            state.withLock { $0.lastError = "the bundle in use is stale (stale after \(since))" }
        } else {
            logger.notice("a fresh bundle is in use again", metadata: ["revision": "\(bundle.revision)"])
        }
    }

    private func apply(_ snapshot: Snapshot) {
        state.withLock {
            $0.snapshot = snapshot
            $0.applied += 1
        }
    }

    private func refuse(revision: String, code: String, message: String) {
        state.withLock {
            $0.rejected += 1
            $0.lastError = message
        }
        report(applied: snapshot?.bundle.revision, attempted: revision, error: (code, message))
    }

    /// Learns the bundle key from Bursar when none is pinned or cached.
    private func ensureKey() throws {
        guard trustedKey.withLock({ $0 }) == nil else { return }
        let reply = try configuration.endpoint.send("GET", "/v1/bundle/keys", timeoutSeconds: 15, cancellation: cancellation)
        if reply.status == 401 || reply.status == 403 { throw Failure.refused(status: reply.status, message: Self.errorMessage(reply)) }
        guard reply.status == 200, let json = try? JSONValue.parse(reply.body),
              let key = json[member: "keys"]?.arrayValue?.first?[member: "public_key"]?.stringValue else {
            throw WebClient.Failure.failed("GET /v1/bundle/keys answered \(reply.status)")
        }
        trustedKey.withLock { $0 = key }
    }

    /// `POST /v1/status`, best effort (a failure here never stops routing).
    private func report(applied: String?, attempted: String?, error: (code: String, message: String)?) {
        var members: [(String, JSONValue)] = [
            ("instance_id", .string(configuration.instanceID)),
            ("poll_interval_s", .integer(Int64(max(1, configuration.waitSeconds)))),
        ]
        if let applied { members.append(("applied_revision", .string(applied))) }
        if let attempted { members.append(("attempted_revision", .string(attempted))) }
        if let error { members.append(("error", .object([("code", .string(error.code)), ("message", .string(error.message))]))) }
        _ = try? configuration.endpoint.send("POST", "/v1/status", headers: ["Content-Type": "application/json"],
                                             body: JSONValue.object(members).serialized(), timeoutSeconds: 5)
    }

    /// Starts from the bundle on disk if its signature still verifies with the key kept beside it
    /// (and, when a key is pinned, only with that key).
    private func loadCached() {
        guard let entry = cache?.load() else { return }
        let key = configuration.publicKey ?? entry.publicKey
        guard BundleVerifier.verify(header: entry.signature, body: entry.body, publicKeyBase64: key),
              let bundle = try? RoutingBundle.parse(entry.body) else {
            state.withLock { $0.lastError = "the cached bundle does not verify; ignored" }
            return
        }
        trustedKey.withLock { $0 = key }
        state.withLock { $0.snapshot = Snapshot(bundle: bundle, engine: PolicyEngine(bundle: bundle), etag: entry.etag, origin: .disk) }
    }

    static func errorMessage(_ reply: WebClient.Reply) -> String {
        (try? JSONValue.parse(reply.body))?[member: "error"]?[member: "message"]?.stringValue ?? reply.text
    }
}
