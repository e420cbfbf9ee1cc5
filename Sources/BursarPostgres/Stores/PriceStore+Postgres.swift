import BursarCore
import BursarStorage

/// Price catalog versions: each change stores a whole new catalog; events keep the row they used.
extension PostgresDatabase {
    public func currentPriceCatalog() throws -> PriceCatalog {
        try read { connection in try Self.currentCatalog(connection) }
    }

    @discardableResult
    public func addPriceCatalog(_ prices: [ModelPrice], author: String, origin: String) throws -> PriceCatalog {
        try write(announcing: .admin) { connection in try insertCatalog(prices, author: author, origin: origin, connection) }
    }

    public func importPriceFile(_ prices: [ModelPrice], content: [UInt8]) throws -> (PriceCatalog, imported: Bool) {
        let origin = PriceCatalog.fileOrigin(content)
        return try write(announcing: .admin) { connection in
            // Replicas starting together import the same file once.
            try Self.lock("prices", connection)
            let seen = try connection.execute("SELECT EXISTS (SELECT 1 FROM price_catalogs WHERE origin = $1)", [.text(origin)]).first?.bool(0) ?? false
            if seen { return (try Self.currentCatalog(connection), false) }
            return (try insertCatalog(prices, author: "price file", origin: origin, connection), true)
        }
    }

    public func priceCatalogVersions() throws -> [PriceCatalogVersion] {
        try read { connection in
            try connection.execute(PriceCatalogVersion.listSQL).map { row in
                PriceCatalogVersion(version: try row.integer(0), createdAt: try row.integer(1), author: try row.text(2),
                                    origin: try row.text(3), prices: Int(try row.integer(4)))
            }
        }
    }

    public func priceCatalog(version: Int64) throws -> PriceCatalog? {
        try read { connection in
            guard try connection.execute("SELECT EXISTS (SELECT 1 FROM price_catalogs WHERE version = $1)", [.integer(version)]).first?.bool(0) == true else {
                return nil
            }
            return try Self.catalog(version, connection)
        }
    }

    static func currentCatalog(_ connection: PostgresConnection) throws -> PriceCatalog {
        guard let version = try connection.execute("SELECT MAX(version) FROM price_catalogs").first?.int64(0) else { return .empty }
        return try catalog(version, connection)
    }

    static func catalog(_ version: Int64, _ connection: PostgresConnection) throws -> PriceCatalog {
        let rows = try connection.execute("""
            SELECT id, provider, model, effective_from, input_nanos, cached_input_nanos, output_nanos, reasoning_nanos
            FROM prices WHERE catalog_version = $1 ORDER BY id
            """, [.integer(version)])
        return PriceCatalog(version: version, prices: try rows.map { row in
            ModelPrice(id: try row.integer(0), provider: try row.text(1), model: try row.text(2), effectiveFrom: try row.integer(3),
                       inputPerMillion: Money(nanos: try row.integer(4)), cachedInputPerMillion: Money(nanos: try row.integer(5)),
                       outputPerMillion: Money(nanos: try row.integer(6)), reasoningPerMillion: Money(nanos: try row.integer(7)))
        })
    }

    func insertCatalog(_ prices: [ModelPrice], author: String, origin: String, _ connection: PostgresConnection) throws -> PriceCatalog {
        try Self.lock("prices", connection)
        let before = try Self.currentCatalog(connection)
        let version = try connection.execute("INSERT INTO price_catalogs (created_at, author, origin) VALUES ($1, $2, $3) RETURNING version",
                                             [.integer(clock()), .text(author), .text(origin)]).first?.integer(0) ?? 0
        for price in prices {
            try connection.execute("""
                INSERT INTO prices (catalog_version, provider, model, effective_from, input_nanos,
                                    cached_input_nanos, output_nanos, reasoning_nanos)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, [.integer(version), .text(price.provider), .text(price.model), .integer(price.effectiveFrom),
                      .integer(price.inputPerMillion.nanos), .integer(price.cachedInputPerMillion.nanos),
                      .integer(price.outputPerMillion.nanos), .integer(price.reasoningPerMillion.nanos)])
        }
        let after = try Self.currentCatalog(connection)
        try recordAudit(actor: author, action: "prices.replace", target: "prices",
                        before: before.version == 0 ? nil : PriceList.json(before), after: PriceList.json(after), connection)
        return after
    }
}
