import Locking
import BursarCore
import HTTPToolkit
import BursarStorage
import Foundation

/// Finds the key for a presented secret, remembering keys found for a second so that a hot
/// path (the bundle, event batches) does not read the database on every request.
///
/// Only hits are remembered (a stream of made-up secrets cannot fill the cache), at most
/// `capacity` of them. A key revoked from the command line stops working within that second.
public final class Authenticator: Sendable {
    private struct Entry {
        var key: APIKey
        var expires: ContinuousClock.Instant
    }

    private let keys: any KeyStore
    private let cache = Locked<[String: Entry]>([:])
    /// A duration, not a time of day: measured on the monotonic clock (a wall clock set back
    /// must not keep a revoked key working).
    private let lifetime: Duration
    public static let capacity = 10_000

    public init(keys: any KeyStore, lifetimeSeconds: Double = 1) {
        self.keys = keys
        lifetime = .seconds(lifetimeSeconds)
    }

    public func key(forSecret secret: String) throws -> APIKey? {
        let now = ContinuousClock.now
        if let entry = cache.withLock({ $0[secret] }), entry.expires > now { return entry.key }
        guard let key = try keys.authenticate(secret: secret) else { return nil }
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[secret] = Entry(key: key, expires: now + lifetime)
        }
        return key
    }

    /// How many keys are remembered (for tests).
    public var cachedKeys: Int { cache.withLock { $0.count } }

    /// Forgets cached answers (after a key is created or revoked through the API).
    public func forget() {
        cache.withLock { $0.removeAll() }
    }
}
