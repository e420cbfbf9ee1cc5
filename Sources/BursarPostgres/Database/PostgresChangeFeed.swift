import BursarCore
import BursarStorage
import Foundation
import Locking
import Logging

/// What replicas tell each other through PostgreSQL: each change is announced with `NOTIFY`
/// in the transaction that makes it (so it is heard only once committed), and every replica
/// `LISTEN`s on a connection of its own. After a lost connection it listens again and reports
/// both kinds of change, since what was announced meanwhile is lost.
final class PostgresChangeFeed: Sendable {
    static let channel = "bursar_changes"

    let url: String
    /// This replica, so that it does not hear its own announcements.
    let replica = UUID().uuidString
    /// Where what is heard is told (the database's change feed).
    private let feed: ChangeFeed
    private let service = BackgroundService(name: "bursar-change-feed")
    /// The listening connection, and whether changes may have been missed (a connection was
    /// lost, or none listened yet: a replica hears what others did while it started).
    private let listener = Locked<(connection: PostgresConnection?, lost: Bool)>((nil, true))
    /// A pipe whose write end `stop` writes to, waking the wait for announcements at once.
    private let wakePipe = Locked<(read: Int32, write: Int32)?>(nil)
    /// Whether the last attempt to listen failed (logged once per outage).
    private let failing = Locked(false)

    init(url: String, feed: ChangeFeed) {
        self.url = url
        self.feed = feed
    }

    deinit { stop() }

    /// Announces `change` to the other replicas when the transaction on `connection` commits.
    func announce(_ change: StoreChange, on connection: PostgresConnection) throws {
        try connection.execute("SELECT pg_notify($1, $2)", [.text(Self.channel), .text("\(replica) \(change.rawValue)")])
    }

    /// Starts telling the feed of each change another replica announces (once; later calls do nothing).
    func listen(logger: Logger) {
        guard !service.isStarted else { return }
        let wake = wakePipe.withLock { pipe -> Int32? in
            if pipe == nil {
                var ends: [Int32] = [0, 0]
                guard Glibc.pipe(&ends) == 0 else { return nil }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                pipe = (ends[0], ends[1])
            }
            return pipe?.read
        }
        service.start { [self] in listenOnce(logger, wake: wake) }
    }

    func stop() {
        if let pipe = wakePipe.withLock({ $0 }) {
            var byte: UInt8 = 1
            _ = Glibc.write(pipe.write, &byte, 1)
        }
        service.stop()
        wakePipe.withLock { pipe in
            if let ends = pipe {
                close(ends.read)
                close(ends.write)
            }
            pipe = nil
        }
    }

    /// One wait for announcements, until one arrives or `stop` writes to `wake` (without a
    /// pipe, half a second at most, so that `stop` is prompt).
    private func listenOnce(_ logger: Logger, wake: Int32?) -> Int64 {
        do {
            let (connection, missed) = try listeningConnection()
            failing.withLock { $0 = false }
            if missed { for change in [StoreChange.admin, .spend] { feed.tell(change) } }
            let wait = wake == nil ? 500 : Int32(WallClock.longestSleepMillis)
            for payload in try connection.notifications(waitingUpTo: wait, orUntilReadable: wake) {
                let parts = payload.split(separator: " ")
                guard parts.count == 2, parts[0] != replica, let change = StoreChange(rawValue: String(parts[1])) else { continue }
                feed.tell(change)
            }
            return 0
        } catch {
            listener.withLock { $0 = (nil, true) }
            let first = failing.withLock { failing in
                defer { failing = true }
                return !failing
            }
            if first {
                logger.warning("cannot hear other replicas' changes; trying again every second",
                               metadata: ["error": "\(error)"])
            }
            return 1_000
        }
    }

    private func listeningConnection() throws -> (PostgresConnection, missed: Bool) {
        try listener.withLock { state in
            if let connection = state.connection, connection.isOpen { return (connection, false) }
            let connection = try PostgresConnection(url: url)
            try connection.execute("LISTEN \(Self.channel)")
            defer { state = (connection, false) }
            return (connection, state.lost)
        }
    }
}
