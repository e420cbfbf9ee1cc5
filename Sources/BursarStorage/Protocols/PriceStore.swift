import BursarCore

/// Price catalogs: each replacement is a new version; every change audited.
public protocol PriceStore: Sendable {
    func currentPriceCatalog() throws -> PriceCatalog
    func addPriceCatalog(_ prices: [ModelPrice], author: String, origin: String) throws -> PriceCatalog
    /// Adds the prices of a file unless a file of the same content was imported last.
    func importPriceFile(_ prices: [ModelPrice], content: [UInt8]) throws -> (PriceCatalog, imported: Bool)
    /// Every version, newest first.
    func priceCatalogVersions() throws -> [PriceCatalogVersion]
    /// One stored version, or nil.
    func priceCatalog(version: Int64) throws -> PriceCatalog?
}
