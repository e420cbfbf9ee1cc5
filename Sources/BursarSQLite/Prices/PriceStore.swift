import BursarCore
import BursarStorage
import Foundation
import GRDB

/// Price catalog versions: each change stores a whole new catalog; events keep the row they used.
extension SQLiteDatabase {
    /// The newest catalog, or an empty one (version 0) before any was stored.
    public func currentPriceCatalog() throws -> PriceCatalog {
        try read { db in try Self.currentCatalog(db) }
    }

    /// Stores `prices` as a new catalog version and returns it.
    @discardableResult
    public func addPriceCatalog(_ prices: [ModelPrice], author: String, origin: String) throws -> PriceCatalog {
        try write(announcing: .admin) { db in try insertCatalog(prices, author: author, origin: origin, db) }
    }

    /// Imports a price file as a new version unless this exact content was imported before.
    ///
    /// Returns the catalog now in force and whether the file was imported.
    public func importPriceFile(_ prices: [ModelPrice], content: [UInt8]) throws -> (PriceCatalog, imported: Bool) {
        let origin = PriceCatalog.fileOrigin(content)
        return try write(announcing: .admin) { db in
            let seen = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM price_catalogs WHERE origin = ?)", arguments: [origin]) ?? false
            if seen { return (try Self.currentCatalog(db), false) }
            return (try insertCatalog(prices, author: "price file", origin: origin, db), true)
        }
    }

    public func priceCatalogVersions() throws -> [PriceCatalogVersion] {
        try read { db in
            try Row.fetchAll(db, sql: PriceCatalogVersion.listSQL).map { row in
                PriceCatalogVersion(version: row[0], createdAt: row[1], author: row[2], origin: row[3], prices: row[4])
            }
        }
    }

    public func priceCatalog(version: Int64) throws -> PriceCatalog? {
        try read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM price_catalogs WHERE version = ?)", arguments: [version]) == true else {
                return nil
            }
            return try Self.catalog(version, db)
        }
    }

    static func currentCatalog(_ db: Database) throws -> PriceCatalog {
        guard let version = try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM price_catalogs") else { return .empty }
        return try catalog(version, db)
    }

    static func catalog(_ version: Int64, _ db: Database) throws -> PriceCatalog {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, provider, model, effective_from, input_nanos, cached_input_nanos, output_nanos, reasoning_nanos
            FROM prices WHERE catalog_version = ?
            """, arguments: [version])
        return PriceCatalog(version: version, prices: rows.map { row in
            ModelPrice(id: row[0], provider: row[1], model: row[2], effectiveFrom: row[3],
                       inputPerMillion: Money(nanos: row[4]), cachedInputPerMillion: Money(nanos: row[5]),
                       outputPerMillion: Money(nanos: row[6]), reasoningPerMillion: Money(nanos: row[7]))
        })
    }

    func insertCatalog(_ prices: [ModelPrice], author: String, origin: String, _ db: Database) throws -> PriceCatalog {
        let before = try Self.currentCatalog(db)
        let now = clock()
        try db.execute(sql: "INSERT INTO price_catalogs (created_at, author, origin) VALUES (?, ?, ?)",
                       arguments: [now, author, origin])
        let version = db.lastInsertedRowID
        for price in prices {
            try db.execute(sql: """
                INSERT INTO prices (catalog_version, provider, model, effective_from, input_nanos,
                                    cached_input_nanos, output_nanos, reasoning_nanos)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [version, price.provider, price.model, price.effectiveFrom, price.inputPerMillion.nanos,
                                 price.cachedInputPerMillion.nanos, price.outputPerMillion.nanos, price.reasoningPerMillion.nanos])
        }
        let after = try Self.currentCatalog(db)
        try recordAudit(actor: author, action: "prices.replace", target: "prices",
                        before: before.version == 0 ? nil : PriceList.json(before), after: PriceList.json(after), db)
        return after
    }
}
