import Locking

/// The singleton lease: a session advisory lock on a connection of its own. PostgreSQL ends
/// the session of a replica that dies (or loses its network), which frees the lock, and the
/// next replica to ask takes it.
final class PostgresLease: Sendable {
    /// The lease's advisory lock ("bursarld").
    static let lockKey: Int64 = 0x6275_7273_6172_6C64

    let url: String
    private let holder = Locked<PostgresConnection?>(nil)

    init(url: String) {
        self.url = url
    }

    /// Whether this replica holds the lease (taking it when free); checks that the holding
    /// session is alive, so a lost connection is not mistaken for a lease still held.
    func isHeld() -> Bool {
        holder.withLock { connection in
            if let held = connection {
                if (try? held.execute("SELECT 1")) != nil { return true }
                connection = nil
            }
            guard let candidate = try? PostgresConnection(url: url),
                  let taken = try? candidate.execute("SELECT pg_try_advisory_lock($1)", [.integer(Self.lockKey)]).first?.bool(0),
                  taken == true else { return false }
            connection = candidate
            return true
        }
    }
}
