import Foundation
import Locking

/// Every open connection, and since when it has owed the server a request head: since it
/// connected, or since its last answer was sent. A connection that has not sent a whole head
/// within the deadline is shut down, however slowly it keeps trickling bytes (libmicrohttpd's
/// own timeout counts from the last byte, so a client sending one byte every few seconds
/// would otherwise hold its connection for ever; ten thousand such took a server offline).
final class HeadDeadlines: Sendable {
    private struct Connection {
        var socket: Int32
        /// Since when a head is owed (nil while a request is being read, handled or held).
        var owedSince: ContinuousClock.Instant?
    }

    let deadline: Duration
    private let connections = Locked<[Int: Connection]>([:])
    private let running = Locked(false)
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    init(deadline: Duration) {
        self.deadline = deadline
    }

    func opened(_ connection: OpaquePointer, socket: Int32) {
        connections.withLock { $0[Int(bitPattern: connection)] = Connection(socket: socket, owedSince: .now) }
    }

    /// A request's head has arrived whole.
    func headArrived(_ connection: OpaquePointer) {
        connections.withLock { $0[Int(bitPattern: connection)]?.owedSince = nil }
    }

    /// A request's answer was sent: the next head is owed from now.
    func answered(_ connection: OpaquePointer) {
        connections.withLock { $0[Int(bitPattern: connection)]?.owedSince = .now }
    }

    /// Called by libmicrohttpd before it closes the socket: under the same lock as the sweep,
    /// so a socket number is never shut down after it was closed and reused.
    func closed(_ connection: OpaquePointer) {
        connections.withLock { _ = $0.removeValue(forKey: Int(bitPattern: connection)) }
    }

    /// Shuts down every connection whose head is overdue; returns when the next one still
    /// owing a head falls due (nil when none owes one).
    func sweep(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        connections.withLock { connections in
            var next: ContinuousClock.Instant?
            for (key, connection) in connections {
                guard let since = connection.owedSince else { continue }
                if now - since > deadline {
                    shutdown(connection.socket, Int32(SHUT_RDWR))
                    connections[key]?.owedSince = nil
                } else {
                    next = min(next ?? since + deadline, since + deadline)
                }
            }
            return next
        }
    }

    /// Sweeps on a thread of its own until `stop`, which wakes it: each sweep sleeps until the
    /// earliest head falls due, or a whole deadline when none is owed (a connection that
    /// starts owing one later falls due later than that).
    func start() {
        running.withLock { $0 = true }
        Thread.detachNewThread { [self] in
            var pause = deadline
            while wake.wait(timeout: .now() + .nanoseconds(Int(max(pause, .milliseconds(1)) / .nanoseconds(1)))) == .timedOut {
                let now = ContinuousClock.now
                // Just past the due time: `sweep` shuts down a head only once it is overdue.
                pause = sweep(now: now).map { $0 - now + .milliseconds(1) } ?? deadline
            }
            stopped.signal()
        }
    }

    func stop() {
        guard running.withLock({ running in defer { running = false }; return running }) else { return }
        wake.signal()
        stopped.wait()
    }
}
