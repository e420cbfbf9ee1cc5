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

    /// Runs `body` with a connection of its own.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? PostgresConnection(url: url)
        defer {
            if connection.isOpen {
                idle.withLock { connections in
                    if connections.count < maximumIdle { connections.append(connection) }
                }
            }
        }
        return try body(connection)
    }
}
