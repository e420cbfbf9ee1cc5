import Locking

/// Connections to one database, opened as needed and kept for the next caller; one that has
/// broken (the server restarted, the network failed) is dropped, and the next caller opens
/// a new one.
final class PostgresPool: Sendable {
    let url: String
    /// Idle connections kept at most (more may be open while busy).
    let maximumIdle: Int
    private let idle = Locked<[PostgresConnection]>([])

    init(url: String, maximumIdle: Int = 8) {
        self.url = url
        self.maximumIdle = maximumIdle
    }

    /// Runs `body` with a connection of its own. When the server is found gone, every idle
    /// connection is dropped too (they were to the same server); with `retrying`, a body that
    /// failed on a kept connection runs once more on a new one (for reads, which may repeat).
    func withConnection<T>(retrying: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        let kept = idle.withLock { $0.popLast() }
        let connection = try kept ?? PostgresConnection(url: url)
        do {
            let value = try body(connection)
            keep(connection)
            return value
        } catch let error as PostgresError where error.isUnavailable {
            idle.withLock { $0.removeAll() }
            guard retrying, kept != nil else { throw error }
            let fresh = try PostgresConnection(url: url)
            let value = try body(fresh)
            keep(fresh)
            return value
        } catch {
            keep(connection)
            throw error
        }
    }

    private func keep(_ connection: PostgresConnection) {
        guard connection.isOpen else { return }
        idle.withLock { connections in
            if connections.count < maximumIdle { connections.append(connection) }
        }
    }
}
