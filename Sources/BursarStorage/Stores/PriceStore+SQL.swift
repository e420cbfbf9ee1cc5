import BursarCore

/// Price catalog versions: each change stores a whole new catalog; events keep the row they used.
extension SQLDatabase {
    /// The newest catalog, or an empty one (version 0) before any was stored.
    public func currentPriceCatalog() throws -> PriceCatalog {
        try reading { session in try Self.currentCatalog(session) }
    }

    /// Stores `prices` as a new catalog version and returns it.
    @discardableResult
    public func addPriceCatalog(_ prices: [ModelPrice], author: String, origin: String) throws -> PriceCatalog {
        try writing(announcing: .admin) { session in try insertCatalog(prices, author: author, origin: origin, session) }
    }

    /// Imports a price file as a new version unless this exact content was imported before.
    ///
    /// Returns the catalog now in force and whether the file was imported.
    public func importPriceFile(_ prices: [ModelPrice], content: [UInt8]) throws -> (PriceCatalog, imported: Bool) {
        let origin = PriceCatalog.fileOrigin(content)
        return try writing(announcing: .admin) { session in
            // Replicas starting together import the same file once.
            try session.lock("prices")
            let seen = try session.row("SELECT EXISTS (SELECT 1 FROM price_catalogs WHERE origin = ?) AS seen", [.text(origin)])?
                .bool("seen") ?? false
            if seen { return (try Self.currentCatalog(session), false) }
            return (try insertCatalog(prices, author: "price file", origin: origin, session), true)
        }
    }

    public func priceCatalogVersions() throws -> [PriceCatalogVersion] {
        try reading { session in
            try session.rows("""
                SELECT c.version AS version, c.created_at AS created_at, c.author AS author, c.origin AS origin,
                       (SELECT COUNT(*) FROM prices p WHERE p.catalog_version = c.version) AS prices
                FROM price_catalogs c ORDER BY c.version DESC
                """).map { row in
                PriceCatalogVersion(version: try row.integer("version"), createdAt: try row.integer("created_at"),
                                    author: try row.text("author"), origin: try row.text("origin"), prices: Int(try row.integer("prices")))
            }
        }
    }

    public func priceCatalog(version: Int64) throws -> PriceCatalog? {
        try reading { session in
            guard try session.row("SELECT EXISTS (SELECT 1 FROM price_catalogs WHERE version = ?) AS found", [.integer(version)])?
                .bool("found") == true else { return nil }
            return try Self.catalog(version, session)
        }
    }

    static func currentCatalog(_ session: any SQLSession) throws -> PriceCatalog {
        guard let version = try session.row("SELECT MAX(version) AS version FROM price_catalogs")?.optionalInteger("version") else {
            return .empty
        }
        return try catalog(version, session)
    }

    static func catalog(_ version: Int64, _ session: any SQLSession) throws -> PriceCatalog {
        let rows = try session.rows("""
            SELECT id, provider, model, effective_from, input_nanos, cached_input_nanos, output_nanos, reasoning_nanos
            FROM prices WHERE catalog_version = ? ORDER BY id
            """, [.integer(version)])
        return PriceCatalog(version: version, prices: try rows.map { row in
            ModelPrice(id: try row.integer("id"), provider: try row.text("provider"), model: try row.text("model"),
                       effectiveFrom: try row.integer("effective_from"),
                       inputPerMillion: Money(nanos: try row.integer("input_nanos")),
                       cachedInputPerMillion: Money(nanos: try row.integer("cached_input_nanos")),
                       outputPerMillion: Money(nanos: try row.integer("output_nanos")),
                       reasoningPerMillion: Money(nanos: try row.integer("reasoning_nanos")))
        })
    }

    func insertCatalog(_ prices: [ModelPrice], author: String, origin: String, _ session: any SQLSession) throws -> PriceCatalog {
        try session.lock("prices")
        let before = try Self.currentCatalog(session)
        guard let version = try session.row("INSERT INTO price_catalogs (created_at, author, origin) VALUES (?, ?, ?) RETURNING version",
                                            [.integer(clock()), .text(author), .text(origin)])?.integer("version") else {
            throw SQLRowError(column: "version", problem: "was not returned by the insert of a price catalog")
        }
        for price in prices {
            try session.execute("""
                INSERT INTO prices (catalog_version, provider, model, effective_from, input_nanos,
                                    cached_input_nanos, output_nanos, reasoning_nanos)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(version), .text(price.provider), .text(price.model), .integer(price.effectiveFrom),
                      .integer(price.inputPerMillion.nanos), .integer(price.cachedInputPerMillion.nanos),
                      .integer(price.outputPerMillion.nanos), .integer(price.reasoningPerMillion.nanos)])
        }
        let after = try Self.currentCatalog(session)
        try recordAudit(actor: author, action: "prices.replace", target: "prices",
                        before: before.version == 0 ? nil : PriceList.json(before), after: PriceList.json(after), session)
        return after
    }
}
