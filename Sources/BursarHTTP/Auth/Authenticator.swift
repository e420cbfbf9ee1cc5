import BursarCore
import BursarStore
import Foundation

/// Finds the key for a presented secret, remembering answers for a second so that a hot
/// path (the bundle, event batches) does not read the database on every request.
///
/// A key revoked from the command line stops working within that second.
public final class Authenticator: Sendable {
    private struct Entry {
        var key: APIKey?
        var expires: UInt64
    }

    private let database: BursarDatabase
    private let cache = Locked<[String: Entry]>([:])
    private let lifetimeNanos: UInt64

    public init(database: BursarDatabase, lifetimeSeconds: Double = 1) {
        self.database = database
        lifetimeNanos = UInt64(lifetimeSeconds * 1e9)
    }

    public func key(forSecret secret: String) throws -> APIKey? {
        let now = DispatchTime.now().uptimeNanoseconds
        if let entry = cache.withLock({ $0[secret] }), entry.expires > now { return entry.key }
        let key = try database.authenticate(secret: secret)
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[secret] = Entry(key: key, expires: now + lifetimeNanos)
        }
        return key
    }

    /// Forgets cached answers (after a key is created or revoked through the API).
    public func forget() {
        cache.withLock { $0.removeAll() }
    }
}
