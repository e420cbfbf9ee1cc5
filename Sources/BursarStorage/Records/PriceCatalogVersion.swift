/// One stored version of the price catalog: who made it, when, from where, and how many rows.
public struct PriceCatalogVersion: Sendable, Equatable {
    public var version: Int64
    public var createdAt: Int64
    public var author: String
    /// "api", or the digest of the price file it was imported from.
    public var origin: String
    public var prices: Int

    public init(version: Int64, createdAt: Int64, author: String, origin: String, prices: Int) {
        self.version = version
        self.createdAt = createdAt
        self.author = author
        self.origin = origin
        self.prices = prices
    }

}
