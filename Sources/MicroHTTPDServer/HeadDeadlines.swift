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

    /// Shuts down every connection whose head is overdue.
    func sweep(now: ContinuousClock.Instant = .now) {
        connections.withLock { connections in
            for (key, connection) in connections {
                guard let since = connection.owedSince, now - since > deadline else { continue }
                shutdown(connection.socket, Int32(SHUT_RDWR))
                connections[key]?.owedSince = nil
            }
        }
    }

    /// Sweeps four times per deadline on a thread of its own until `stop`, which wakes it.
    func start() {
        running.withLock { $0 = true }
        let pause = max(0.05, min(1, deadline / .seconds(4)))
        Thread.detachNewThread { [self] in
            while wake.wait(timeout: .now() + pause) == .timedOut {
                sweep()
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
