import BursarCore
import Crypto
import Foundation

/// How records are kept as text in any backend, and read back.
extension PolicyVersion {
    /// The SHA-256 of the policy's canonical JSON.
    public static func revision(of policy: Policy) -> String {
        SHA256.hash(data: policy.json.serialized(canonical: true)).map { String(format: "%02x", $0) }.joined()
    }

    /// The canonical JSON a policy is stored as (validated once, when stored).
    package static func document(of policy: Policy) -> String {
        String(decoding: policy.json.serialized(canonical: true), as: UTF8.self)
    }

    /// Rebuilds a stored version from its canonical document: a read decodes it (linear, no
    /// YAML and no validation), however large the policy; nil when it no longer decodes.
    package init?(revision: String, document: String, source: String, author: String, origin: String, createdAt: Int64, active: Bool) {
        guard let json = try? JSONValue.parse(Array(document.utf8)), let policy = try? Policy(json: json) else { return nil }
        self.init(revision: revision, policy: policy, source: source, author: author, origin: origin, createdAt: createdAt, active: active)
    }

    /// The audit form of a revision: with its policy's name, so that the log reads without looking it up.
    package static func audited(_ revision: String, name: String?, reason: String? = nil) -> JSONValue {
        .object([("active_revision", .string(revision)), ("name", name.map { .string($0) } ?? .null)]
                + (reason.map { [("reason", .string($0))] } ?? []))
    }
}

extension Budget {
    /// The definition as stored.
    package var storedDefinition: String { String(decoding: definition.serialized(), as: UTF8.self) }

    /// A stored definition read back (it was validated when stored); nil when it no longer parses.
    package static func stored(id: String, definition: String, now: Int64) -> Budget? {
        guard let document = try? JSONValue.parse(Array(definition.utf8)) else { return nil }
        return try? Budget.parse(id: id, document, tiers: nil, now: now)
    }
}

extension BundleIssue {
    /// `serial issued_at revision`, as stored.
    package var stored: String { "\(serial) \(issuedAt) \(revision)" }

    package init?(stored text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 3, let serial = Int64(parts[0]), let issuedAt = Int64(parts[1]) else { return nil }
        self.init(revision: String(parts[2]), serial: serial, issuedAt: issuedAt)
    }

    /// What follows `stored` (the latest issue, if any) for `revision` at `now`: itself when
    /// the revision is the same and was issued less than `reissueAfter` ms ago; the same
    /// serial issued now when it is older (the same content issued again keeps routers'
    /// bundles fresh); else the next serial. Issue times never go back, even when the clock does.
    package static func next(after stored: BundleIssue?, revision: String, now: Int64, reissueAfter: Int64) -> BundleIssue {
        if let stored, stored.revision == revision {
            if now - stored.issuedAt < reissueAfter { return stored }
            return BundleIssue(revision: revision, serial: stored.serial, issuedAt: max(now, stored.issuedAt))
        }
        return BundleIssue(revision: revision, serial: (stored?.serial ?? 0) + 1, issuedAt: max(now, stored?.issuedAt ?? now))
    }
}

extension BudgetAlert {
    /// The alert's JSON text (what webhooks receive) for a budget that went `from` → its state.
    package static func document(_ status: BudgetStatus, from: String, now: Int64) throws -> String {
        let document = JSONValue.object([
            ("type", "budget.state_changed"),
            ("budget", .string(status.budget.id)),
            ("from", .string(from)),
            ("to", .string(status.state.rawValue)),
            ("time", .string(Timestamp.format(now))),
            ("status", try status.json),
        ])
        return String(decoding: document.serialized(), as: UTF8.self)
    }
}

extension PriceCatalog {
    /// The origin of a catalog imported from a file: its content's SHA-256.
    package static func fileOrigin(_ content: [UInt8]) -> String {
        "file:" + SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
    }
}

extension JSONValue {
    /// The text an audit entry keeps.
    package static func auditText(_ value: JSONValue?) -> String? {
        value.map { String(decoding: $0.serialized(), as: UTF8.self) }
    }
}
