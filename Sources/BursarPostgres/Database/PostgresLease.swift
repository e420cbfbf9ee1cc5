import Locking

/// The singleton lease: a session advisory lock on a connection of its own. PostgreSQL ends
/// the session of a replica that dies (or loses its network), which frees the lock, and the
/// next replica to ask takes it.
final class PostgresLease: Sendable {
    /// The lease's advisory lock ("bursarld").
    static let lockKey: Int64 = 0x6275_7273_6172_6C64

    let url: String
    /// The connection that holds the lease, or that asks for it (kept between attempts).
    private let session = Locked<(connection: PostgresConnection?, holds: Bool)>((nil, false))

    init(url: String) {
        self.url = url
    }

    /// Whether this replica held the lease when it last asked.
    var wasHeld: Bool { session.withLock { $0.holds } }

    /// Whether this replica holds the lease (taking it when free); checks that the holding
    /// session is alive, so a lost connection is not mistaken for a lease still held.
    func isHeld() -> Bool {
        session.withLock { session in
            if session.holds, let held = session.connection {
                if (try? held.execute("SELECT 1")) != nil { return true }
                session = (nil, false)
            }
            guard let connection = session.connection.flatMap({ $0.isOpen ? $0 : nil }) ?? (try? PostgresConnection(url: url)) else {
                session = (nil, false)
                return false
            }
            let taken = (try? connection.execute("SELECT pg_try_advisory_lock($1)", [.integer(Self.lockKey)]).first?.bool(0)) ?? nil
            session = (connection, taken == true)
            return taken == true
        }
    }
}
