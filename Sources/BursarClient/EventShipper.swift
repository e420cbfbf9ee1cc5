import Locking
import BursarCore
import BursarHTTPClient
import Dispatch
import Foundation
import Synchronization

/// Ships a router's usage events to Bursar without ever making the router wait.
///
/// `ship` only appends to a bounded memory queue. A thread of its own (started by `start`, or
/// by the first `ship`) sends batches (by count,
/// or when the oldest event has waited `maximumAgeSeconds`) as NDJSON. When Bursar cannot be
/// reached the batch and everything queued after it go to a spool file on disk, in order,
/// and are replayed from there when Bursar answers again; retries keep the events' ids, so
/// Bursar counts each event once. A batch Bursar refuses whole for what is not every event's
/// fault (too large; a stored counter one of its events would overflow) is sent again in
/// halves, so that only the events that cannot be stored are refused. Events are dropped (and
/// counted) only when the memory queue is full, or when Bursar rejects them as invalid.
public final class EventShipper: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: BursarEndpoint
        /// Where events wait while Bursar is down; nil keeps them in memory only.
        public var spoolDirectory: String?
        public var batchSize = 500
        public var maximumAgeSeconds = 1.0
        public var queueLimit = 50_000
        public var backoff = Backoff(minimumSeconds: 0.1, maximumSeconds: 10)

        public init(endpoint: BursarEndpoint, spoolDirectory: String? = nil) {
            self.endpoint = endpoint
            self.spoolDirectory = spoolDirectory
        }
    }

    public struct Statistics: Sendable, Equatable {
        /// Taken by `ship`.
        public var queued = 0
        /// Acknowledged by Bursar as new.
        public var accepted = 0
        /// Acknowledged as already stored (a retry of something Bursar had).
        public var duplicates = 0
        /// Refused by Bursar as invalid (never retried).
        public var rejected = 0
        /// Not taken because the memory queue was full.
        public var dropped = 0
        /// Written to the spool file.
        public var spooled = 0
        /// Sends that failed and will be tried again.
        public var failedSends = 0
        public var lastError: String?
    }

    private struct Queue {
        var events: [UsageEvent] = []
        var oldest: DispatchTime?
        var statistics = Statistics()
        var closing = false
        /// Someone waits in `flush`: send what is queued at once, whatever its age.
        var flushing = false
    }

    public let configuration: Configuration
    private let queue = Locked(Queue())
    private let service = BackgroundService(name: "bursar-event-shipper")
    /// The pause after each failed send (only the shipping service touches it).
    private let backoff: Locked<Backoff>
    private let idle = Atomic<Bool>(true)
    private let closed = Atomic<Bool>(false)
    private let spool: Locked<SpoolBox>

    /// Wraps the spool so that only the shipper thread touches it.
    private final class SpoolBox: @unchecked Sendable {
        let spool: EventSpool?
        init(_ spool: EventSpool?) { self.spool = spool }
    }

    public init(configuration: Configuration) throws {
        self.configuration = configuration
        backoff = Locked(configuration.backoff)
        spool = Locked(SpoolBox(try configuration.spoolDirectory.map(EventSpool.init)))
    }

    /// Starts shipping on a thread of its own: what a spool kept from an earlier run is sent
    /// first (once; later calls, and calls after `close`, do nothing).
    public func start() {
        service.start { [self] in pass() }
    }

    /// Queues an event; never blocks on the network. False when the queue was full and the
    /// event was dropped (counted in `statistics.dropped`).
    @discardableResult
    public func ship(_ event: UsageEvent) -> Bool {
        let (taken, full) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.closing, queue.events.count < configuration.queueLimit else {
                queue.statistics.dropped += 1
                return (false, false)
            }
            if queue.events.isEmpty { queue.oldest = .now() }
            queue.events.append(event)
            queue.statistics.queued += 1
            return (true, queue.events.count == configuration.batchSize)
        }
        if !service.isStarted { start() }
        if full { service.wake() }
        return taken
    }

    public var statistics: Statistics { queue.withLock { $0.statistics } }

    /// Events not yet acknowledged: in memory, and whether the spool holds any.
    public var pending: (memory: Int, spooled: Bool) {
        (queue.withLock { $0.events.count }, spool.withLock { !($0.spool?.isEmpty ?? true) })
    }

    /// Waits up to `timeout` seconds until everything shipped so far is acknowledged.
    public func flush(timeout: Double) -> Bool {
        let deadline = ContinuousClock.Instant.afterSeconds(timeout)
        queue.withLock { $0.flushing = true }
        defer { queue.withLock { $0.flushing = false } }
        start()
        service.wake()
        while ContinuousClock.now < deadline {
            let (memory, spooled) = pending
            if memory == 0, !spooled, idle.load(ordering: .acquiring) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Sends what it can within `timeout` seconds, spools the rest, and stops (once; later
    /// calls return at once).
    public func close(timeout: Double = 5) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = flush(timeout: timeout)
        queue.withLock { $0.closing = true }
        service.stop()
        // The last pass, here: what Bursar does not take now goes to the spool.
        do {
            try sendSpooled()
            try sendQueued(force: true)
        } catch {
            queue.withLock {
                $0.statistics.failedSends += 1
                $0.statistics.lastError = "\(error)"
            }
        }
        spoolEverything()
        queue.withLock { queue in
            // Without a spool, what Bursar did not take is lost with the process: say so.
            queue.statistics.dropped += queue.events.count
            queue.events.removeAll()
        }
    }

    // MARK: - The shipping thread

    /// Sends what is due (the spool first, in order); returns the pause before the next pass,
    /// in milliseconds: a quarter of `maximumAgeSeconds`, or the backoff after a failed send
    /// (what was not sent is spooled meanwhile). `ship` and `flush` wake it sooner.
    private func pass() -> Int64 {
        let flushing = queue.withLock { $0.flushing }
        idle.store(false, ordering: .releasing)
        defer { idle.store(true, ordering: .releasing) }
        do {
            try sendSpooled()
            try sendQueued(force: flushing)
            backoff.withLock { $0.reset() }
            return Int64(configuration.maximumAgeSeconds / 4 * 1000)
        } catch {
            queue.withLock {
                $0.statistics.failedSends += 1
                $0.statistics.lastError = "\(error)"
            }
            spoolEverything()
            return Int64(backoff.withLock { $0.nextDelay() } * 1000)
        }
    }

    /// Replays the spool in order, one batch at a time.
    private func sendSpooled() throws {
        try spool.withLock { box in
            guard let spool = box.spool else { return }
            guard !spool.isEmpty else { return }
            // Keep order: whatever is queued now goes after what is already spooled.
            let queued = takeAll()
            try spool.append(queued.map { $0.json.serialized() })
            queue.withLock { $0.statistics.spooled += queued.count }
            while !spool.isEmpty {
                let (lines, end) = try spool.read(limit: configuration.batchSize)
                try send(lines)
                try spool.acknowledge(through: end)
            }
        }
    }

    /// Sends queued events in batches when a batch is full, old enough, or `force`.
    private func sendQueued(force: Bool) throws {
        while true {
            let batch = queue.withLock { queue -> [UsageEvent] in
                let due = queue.events.count >= configuration.batchSize || force
                    || queue.oldest.map { DispatchTime.now().uptimeNanoseconds - $0.uptimeNanoseconds >= UInt64(configuration.maximumAgeSeconds * 1e9) } == true
                guard due, !queue.events.isEmpty else { return [] }
                let count = min(configuration.batchSize, queue.events.count)
                let batch = Array(queue.events.prefix(count))
                return batch
            }
            guard !batch.isEmpty else { return }
            try send(batch.map { $0.json.serialized() })
            queue.withLock { queue in
                queue.events.removeFirst(batch.count)
                queue.oldest = queue.events.isEmpty ? nil : .now()
            }
        }
    }

    /// Moves everything in memory to the spool (when there is one), keeping order.
    private func spoolEverything() {
        spool.withLock { box in
            guard let spool = box.spool else { return }
            let events = takeAll()
            do {
                try spool.append(events.map { $0.json.serialized() })
                queue.withLock { $0.statistics.spooled += events.count }
            } catch {
                // The disk refused: put them back in front, still in order.
                queue.withLock { queue in
                    queue.events.insert(contentsOf: events, at: 0)
                    queue.statistics.lastError = "cannot spool events: \(error)"
                }
            }
        }
    }

    private func takeAll() -> [UsageEvent] {
        queue.withLock { queue in
            defer {
                queue.events.removeAll()
                queue.oldest = nil
            }
            return queue.events
        }
    }

    /// One POST of NDJSON lines; throws when it should be retried. A batch refused whole
    /// through no fault of most of its events is sent again in halves.
    private func send(_ lines: [[UInt8]]) throws {
        guard !lines.isEmpty else { return }
        var body: [UInt8] = []
        body.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            body += line
            body.append(10)
        }
        let reply = try configuration.endpoint.send("POST", "/v1/events", headers: ["Content-Type": "application/x-ndjson"], body: body,
                                                    timeoutSeconds: 30)
        switch reply.status {
        case 200:
            let answer = try? JSONValue.parse(reply.body)
            queue.withLock { queue in
                queue.statistics.accepted += Int(answer?[member: "accepted"]?.integerValue ?? 0)
                queue.statistics.duplicates += Int(answer?[member: "duplicates"]?.integerValue ?? 0)
                queue.statistics.rejected += answer?[member: "rejected"]?.arrayValue?.count ?? 0
            }
        case 413 where lines.count > 1, 422 where lines.count > 1 && Self.isRefusedForOthers(reply.body):
            let middle = lines.count / 2
            try send(Array(lines[..<middle]))
            try send(Array(lines[middle...]))
        case 400, 413, 415, 422:
            // Bursar will never take these as they are: count them, do not retry forever.
            queue.withLock {
                $0.statistics.rejected += lines.count
                $0.statistics.lastError = "Bursar refused a batch (\(reply.status)): \(BundleClient.errorMessage(reply))"
            }
        default:
            throw WebClient.Failure.failed("POST /v1/events answered \(reply.status): \(BundleClient.errorMessage(reply))")
        }
    }

    /// Whether a whole batch was refused because some of its events would overflow a stored
    /// counter (`counter_overflow`): the others may well be stored.
    static func isRefusedForOthers(_ body: [UInt8]) -> Bool {
        (try? JSONValue.parse(body))?[member: "error"]?[member: "code"]?.stringValue == "counter_overflow"
    }
}
