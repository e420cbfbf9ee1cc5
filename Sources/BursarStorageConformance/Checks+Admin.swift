import BursarCore
import BursarStorage

extension StorageConformance {
    static let adminChecks: [Check] = [
        Check("keys: found by their secret, which the audit log never holds; names are unique; revoked keys stop working") { backend in
            try backend.withStore { store in
                let storage = store.storage
                try expect(!(try storage.hasKeys()), "a new store has no keys")
                let secret = try storage.createKey(name: "edge", role: .router, sources: SourceGrant(parsing: "edge,eu-*"), actor: "ann")
                let found = try storage.authenticate(secret: secret)
                try expect(found?.name == "edge" && found?.role == .router, "the key is found by its secret")
                try expectEqual(found?.sources.text, "edge,eu-*", "with its sources")
                try expect(try storage.authenticate(secret: secret + "x") == nil, "another secret is not it")
                try expect(!"\(try storage.auditEntries(from: 0, to: .max, target: "keys"))".contains(secret), "nor in the audit log")
                try expectThrows(KeyError.self, "a second active key of the same name") {
                    _ = try storage.createKey(name: "edge", role: .admin, sources: nil, actor: "ann")
                }
                try storage.revokeKey(name: "edge", actor: "bob")
                try expect(try storage.authenticate(secret: secret) == nil, "revoked")
                try expect(try storage.listKeys().first?.revokedAt != nil, "listed as revoked")
                try expectThrows(KeyError.self, "revoking an unknown key") { try storage.revokeKey(name: "nobody", actor: "bob") }
                // The last active admin key stays, whoever asks (checked where the revocation is made).
                _ = try storage.createKey(name: "root-a", role: .admin, sources: nil, actor: "ann")
                _ = try storage.createKey(name: "root-b", role: .admin, sources: nil, actor: "ann")
                let admins = try storage.listKeys().filter { $0.role == .admin && $0.revokedAt == nil }.map(\.name)
                for name in admins.dropLast() { try storage.revokeKey(name: name, actor: "ann") }
                try expectThrows(KeyError.self, "revoking the last admin key") { try storage.revokeKey(name: admins.last ?? "", actor: "ann") }
                try expectEqual(try storage.listKeys().filter { $0.role == .admin && $0.revokedAt == nil }.map(\.name), Array(admins.suffix(1)),
                                "one admin key left")
            }
        },
        Check("price catalogs are versioned; a price file is imported once per content") { backend in
            try backend.withStore { store in
                let storage = store.storage
                let mini = ModelPrice(provider: "openai", model: "gpt-4o-mini", effectiveFrom: 0, inputPerMillion: Money(decimal: "0.15")!,
                                      cachedInputPerMillion: Money(decimal: "0.075")!, outputPerMillion: Money(decimal: "0.6")!,
                                      reasoningPerMillion: Money(decimal: "0.6")!)
                let (first, imported) = try storage.importPriceFile([mini], content: Array("prices: [mini]".utf8))
                try expect(imported && first.version == 1, "the first import: version 1")
                let (again, reimported) = try storage.importPriceFile([mini], content: Array("prices: [mini]".utf8))
                try expect(!reimported && again.version == 1, "the same file again: nothing new")
                var dearer = mini
                dearer.inputPerMillion = Money(decimal: "0.3")!
                let second = try storage.addPriceCatalog([dearer], author: "ann", origin: "api")
                try expectEqual(second.version, 2, "a replacement is a new version")
                try expectEqual(try storage.currentPriceCatalog().version, 2, "the current catalog")
                let price = second.price(for: ModelKey(provider: "openai", model: "gpt-4o-mini"), at: Fixtures.start)
                try expectEqual(price?.inputPerMillion, Money(decimal: "0.3"), "read back exactly")
                try expect(try storage.auditEntries(from: 0, to: .max, target: "prices").count == 2, "both changes audited")
                let versions = try storage.priceCatalogVersions()
                try expectEqual(versions.map(\.version), [2, 1], "every version, newest first")
                try expectEqual(versions.map(\.author), ["ann", "price file"], "who made each")
                try expectEqual(versions.map(\.prices), [1, 1], "each version's rows")
                try expectEqual(try storage.priceCatalog(version: 1)?.prices.first?.inputPerMillion, Money(decimal: "0.15"), "an older version read back")
                try expect(try storage.priceCatalog(version: 9) == nil, "a version never stored")
            }
        },
        Check("budgets: stored, replaced and deleted, each change audited with before and after") { backend in
            try backend.withStore { store in
                let storage = store.storage
                try expect(try storage.putBudget(Fixtures.budget("team", limitNanos: 1_000), actor: "ann"), "created")
                try expect(!(try storage.putBudget(Fixtures.budget("team", limitNanos: 2_000), actor: "bob")), "replaced")
                try expectEqual(try storage.budget(id: "team")?.limit, Money(nanos: 2_000), "the replacement")
                try expect(try storage.deleteBudget(id: "team", actor: "carol"), "deleted")
                try expect(try storage.budget(id: "team") == nil, "gone")
                let audit = try storage.auditEntries(from: 0, to: .max, target: "budgets/team")
                try expectEqual(audit.map(\.action), ["budget.delete", "budget.update", "budget.create"], "newest first")
                try expectEqual(audit.map(\.actor), ["carol", "bob", "ann"], "who")
                try expect(audit[1].before?.contains("0.000001") == true && audit[1].after?.contains("0.000002") == true,
                           "the update keeps the limit before and after: \(audit[1])")
                try expectEqual(audit.map(\.time), [Fixtures.start, Fixtures.start, Fixtures.start], "stamped by the store's clock")
            }
        },
        Check("fleet: the latest report per source and instance") { backend in
            try backend.withStore { store in
                func status(_ instance: String, _ source: String, _ revision: String, at time: Int64) -> RouterStatus {
                    RouterStatus(instanceID: instance, source: source, appliedRevision: revision, attemptedRevision: nil, errorCode: nil,
                                 errorMessage: nil, pollIntervalSeconds: 30, lastSeen: time)
                }
                try store.storage.recordStatus(status("edge-1", "checkout", "r1", at: Fixtures.start), maximumPerSource: 10)
                try store.storage.recordStatus(status("edge-1", "checkout", "r2", at: Fixtures.start + 1_000), maximumPerSource: 10)
                try store.storage.recordStatus(status("edge-1", "search", "r1", at: Fixtures.start + 2_000), maximumPerSource: 10)
                let fleet = try store.storage.fleet(after: nil, limit: 100)
                try expectEqual(fleet.count, 2, "one entry per (source, instance)")
                let checkout = fleet.first { $0.source == "checkout" }
                try expect(checkout?.appliedRevision == "r2" && checkout?.lastSeen == Fixtures.start + 1_000, "the latest report")
                try expectEqual(checkout?.state(currentRevision: "r2", now: Fixtures.start + 90_000), .synced, "within three polls")
                try expectEqual(checkout?.state(currentRevision: "r2", now: Fixtures.start + 91_001), .silent, "past three polls")
            }
        },
        Check("fleet: at most so many instances per source (the least recently heard from are forgotten), read a page at a time") { backend in
            try backend.withStore { store in
                for index in 0..<7 {
                    let report = RouterStatus(instanceID: "i\(index)", source: "edge", appliedRevision: "r1", attemptedRevision: nil, errorCode: nil,
                                              errorMessage: nil, pollIntervalSeconds: 30, lastSeen: Fixtures.start + Int64(index) * 1_000)
                    try store.storage.recordStatus(report, maximumPerSource: 5)
                }
                let other = RouterStatus(instanceID: "i0", source: "zz-other", appliedRevision: nil, attemptedRevision: nil, errorCode: nil,
                                         errorMessage: nil, pollIntervalSeconds: 30, lastSeen: Fixtures.start)
                try store.storage.recordStatus(other, maximumPerSource: 5)
                let all = try store.storage.fleet(after: nil, limit: 100)
                try expectEqual(all.filter { $0.source == "edge" }.map(\.instanceID), ["i2", "i3", "i4", "i5", "i6"], "the five heard from last")
                try expectEqual(all.count, 6, "another source's instance is not counted against this one")
                var pages: [[String]] = []
                var cursor: FleetCursor?
                repeat {
                    let page = try store.storage.fleet(after: cursor, limit: 4)
                    pages.append(page.map { "\($0.instanceID)/\($0.source)" })
                    cursor = page.count == 4 ? page.last.map { FleetCursor(instanceID: $0.instanceID, source: $0.source) } : nil
                } while cursor != nil
                try expectEqual(pages, [["i0/zz-other", "i2/edge", "i3/edge", "i4/edge"], ["i5/edge", "i6/edge"]], "pages in order, none repeated")
            }
        },
        Check("budget state changes are recorded once, with a delivery per webhook kept until delivered or given up") { backend in
            try backend.withStore { store in
                let storage = store.storage
                let budget = Fixtures.budget("b", limitNanos: 10)
                let exceeded = BudgetStatus(budget: budget, periodStart: 0, periodEnd: Fixtures.start + Fixtures.day, spent: Money(nanos: 20),
                                            now: Fixtures.start)
                let hooks = ["https://a.example/hook", "https://b.example/hook"]
                try expectEqual(try storage.recordStateChanges([exceeded], now: Fixtures.start, webhooks: hooks).map(\.toState), ["exceeded"],
                                "ok → exceeded")
                try expect(try storage.recordStateChanges([exceeded], now: Fixtures.start + 1, webhooks: hooks).isEmpty, "no change, no alert")
                try expectEqual(try storage.alerts(budget: "b").count, 1, "one alert")
                try expectEqual(try storage.alerts(budget: nil, from: Fixtures.start, to: Fixtures.start + 1, limit: 10).count, 1, "in its time range")
                try expectEqual(try storage.alerts(budget: nil, from: Fixtures.start + 1, to: .max, limit: 10).count, 0, "not in a later one")
                let due = try storage.dueDeliveries(to: hooks[0], now: Fixtures.start)
                try expectEqual(due.count, 1, "one delivery to each webhook")
                try storage.markFailedAttempt(due[0].id, error: "answered 500", retryAt: Fixtures.start + 1_000, now: Fixtures.start)
                try expect(try storage.dueDeliveries(to: hooks[0], now: Fixtures.start + 999).isEmpty, "not due before its retry")
                try expectEqual(try storage.nextDeliveryDue(to: hooks[0]), Fixtures.start + 1_000, "due at its retry")
                try expectEqual(try storage.dueDeliveries(to: hooks[0], now: Fixtures.start + 1_000).first?.attempts, 1, "one attempt made")
                try storage.markDelivered(due[0].id, now: Fixtures.start + 1_000)
                let other = try storage.dueDeliveries(to: hooks[1], now: Fixtures.start)
                try storage.markFailedAttempt(other[0].id, error: "refused", retryAt: nil, now: Fixtures.start)
                let tallies = try storage.webhookTallies().sorted { $0.url < $1.url }
                try expectEqual(tallies, [WebhookTally(url: hooks[0], pending: 0, delivered: 1, givenUp: 0),
                                          WebhookTally(url: hooks[1], pending: 0, delivered: 0, givenUp: 1)], "tallies")
            }
        },
    ]
}
