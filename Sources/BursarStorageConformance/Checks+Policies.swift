import BursarCore
import BursarStorage

extension StorageConformance {
    static let policyChecks: [Check] = [
        Check("policy versions are kept by content; one is active; each change is audited with before and after") { backend in
            try backend.withStore { store in
                let storage = store.storage
                try expect(try storage.activePolicy() == nil, "no active policy in a new store")
                let (first, created) = try storage.addPolicyVersion(Fixtures.policy("p"), source: "name: p", author: "ann",
                                                                    origin: "api", activate: true)
                try expect(created && first.active, "the first version, created and active")
                let (same, again) = try storage.addPolicyVersion(Fixtures.policy("p"), source: "name: p  # same", author: "bob",
                                                                 origin: "api", activate: false)
                try expect(!again && same.revision == first.revision, "the same content is the same version")
                let (second, _) = try storage.addPolicyVersion(Fixtures.policy("p", defaultTier: "frontier"), source: "name: p2",
                                                               author: "bob", origin: "api", activate: false)
                try expect(second.revision != first.revision && !second.active, "new content, a new inactive version")
                try expectEqual(try storage.activePolicy()?.revision, first.revision, "still the first")
                try expectEqual(try storage.policyVersion(second.revision)?.policy.json.serialized(canonical: true),
                                second.policy.json.serialized(canonical: true), "read back as stored")
                try expectEqual(try storage.policyVersion(second.revision)?.source, "name: p2", "its source text kept")
                let activated = try storage.activatePolicy(revision: second.revision, actor: "carol", reason: "cheaper default for \"faq\"")
                try expect(activated.active, "activated")
                try expectEqual(try storage.activePolicy()?.revision, second.revision, "the second is active")
                try expectEqual(Set(try storage.policyVersions().map(\.revision)), [first.revision, second.revision], "two versions")
                try expectThrows(PolicyError.self, "activating an unknown revision") {
                    _ = try storage.activatePolicy(revision: "no-such-revision", actor: "carol", reason: nil)
                }
                let audit = try storage.auditEntries(from: 0, to: .max, target: "policies")
                let activation = audit.first { $0.action == "policy.activate" && $0.actor == "carol" }
                try expect(activation?.before?.contains(first.revision) == true && activation?.after?.contains(second.revision) == true,
                           "the activation names the revision before and after: \(String(describing: activation))")
                let after = try JSONValue.parse(Array((activation?.after ?? "").utf8))
                try expectEqual(after[member: "reason"]?.stringValue, "cheaper default for \"faq\"", "the reason is kept")
                try expectEqual(after[member: "name"]?.stringValue, "p", "the policy's name beside its revision")
                try expectEqual(audit.filter { $0.action == "policy.create" }.count, 2, "one entry per version created")
            }
        },
        Check("a bundle carries the active policy, the overrides in force and the budgets' states; routing reads the same values as its body") { backend in
            try backend.withStore { store in
                let storage = store.storage
                let now = Fixtures.start
                let policy = try storage.addPolicyVersion(Fixtures.policy("bundled"), source: "name: bundled", author: "ann",
                                                          origin: "api", activate: true).version
                try storage.putOverride(Override(id: "vip", match: ["user": "u-1"], effect: .forceTier, tier: "frontier",
                                                 expiresAt: now + Fixtures.hour, reason: "launch", author: "ann"))
                try storage.putOverride(Override(id: "gone", match: ["team": "t"], effect: .forceTier, tier: "fast",
                                                 expiresAt: now - 1, reason: "over", author: "ann"))
                var support = Fixtures.budget("support", limitNanos: 1_000, scope: [.team: "support"], action: .downgrade)
                support.downgradeTo = "fast"
                try storage.putBudget(support, actor: "ann")
                let bundle = try storage.routerBundle(now: now, catalog: .empty)
                let routing = bundle.routing
                try expectEqual(routing.policyRevision, policy.revision, "the active policy")
                try expectEqual(routing.overrides.map(\.id), ["vip"], "the override in force, not the expired one")
                try expectEqual(routing.budgets.map(\.id), ["support"], "every budget")
                let read = try RoutingBundle.parse(bundle.body)
                try expectEqual(read.revision, routing.revision, "revision")
                try expect(read.serial == routing.serial && read.issuedAt == routing.issuedAt && read.staleAfter == routing.staleAfter,
                           "serial, issue time and staleness as the body says")
                try expectEqual(read.policyRevision, routing.policyRevision, "policy revision")
                try expect(read.policy == routing.policy, "the policy as the body says")
                try expect(read.overrides == routing.overrides, "the overrides as the body says: \(read.overrides) \(routing.overrides)")
                try expect(read.budgets == routing.budgets, "the budgets as the body says: \(read.budgets) \(routing.budgets)")
            }
        },
        Check("overrides are in force until they expire, and audited") { backend in
            let now = Fixtures.start
            try backend.withStore(now: now) { store in
                let storage = store.storage
                let expiring = Override(id: "ceo", match: ["user": "ceo"], effect: .forceTier, tier: "frontier", expiresAt: now + Fixtures.hour,
                                        reason: "board week", author: "ann")
                let lasting = Override(id: "legal", match: ["team": "legal"], effect: .maxTier, tier: "fast", expiresAt: nil,
                                       reason: "cost", author: "ann")
                try expect(try storage.putOverride(expiring), "created")
                try expect(try storage.putOverride(lasting), "created")
                try expectEqual(try storage.overrides(activeAt: now).map(\.id).sorted(), ["ceo", "legal"], "both in force")
                try expectEqual(try storage.overrides(activeAt: now + Fixtures.hour).map(\.id), ["legal"], "the first expired at its time")
                try expectEqual(try storage.overrides(activeAt: now + Fixtures.hour, includeExpired: true).count, 2, "expired ones still listed")
                var changed = lasting
                changed.tier = "frontier"
                try expect(!(try storage.putOverride(changed)), "replaced, not created")
                try expectEqual(try storage.override(id: "legal")?.tier, "frontier", "the replacement")
                try expect(try storage.deleteOverride(id: "legal", actor: "bob"), "deleted")
                try expect(!(try storage.deleteOverride(id: "legal", actor: "bob")), "already gone")
                let audit = try storage.auditEntries(from: 0, to: .max, target: "overrides/legal")
                try expectEqual(audit.map(\.action), ["override.delete", "override.update", "override.create"], "newest first")
                try expect(audit[0].before != nil && audit[0].after == nil, "a deletion keeps what was deleted")
                try expect(audit[2].before == nil && audit[2].after != nil, "a creation keeps what was created")
            }
        },
    ]
}
