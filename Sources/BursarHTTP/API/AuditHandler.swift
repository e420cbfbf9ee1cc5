import BursarCore
import HTTPToolkit
import BursarStorage
import Foundation

/// `GET /v1/audit?from=&to=&target=`: admin changes, newest first.
struct AuditHandler: Sendable {
    let store: any AuditStore

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let (from, to) = try request.timeSpan()
        let limit = try request.integerParameter("limit", in: 1...10_000) ?? 1000
        let entries = try store.auditEntries(from: from, to: to, target: request.query["target"], limit: limit)
        return .response(.json(.object([("entries", .array(entries.map { entry in
            .object([
                ("id", .integer(entry.id)),
                ("time", .string(Timestamp.format(entry.time))),
                ("actor", .string(entry.actor)),
                ("action", .string(entry.action)),
                ("target", .string(entry.target)),
                ("before", Self.document(entry.before)),
                ("after", Self.document(entry.after)),
            ])
        }))])))
    }

    /// Stored JSON text (written by Bursar), passed through as it is.
    private static func document(_ text: String?) -> JSONValue {
        text.map { .raw(Array($0.utf8)) } ?? .null
    }
}
