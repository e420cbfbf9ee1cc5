import BursarCore
import HTTPToolkit
import BursarStorage
import Foundation

/// `GET /v1/audit?from=&to=&target=`: admin changes, newest first.
struct AuditHandler: Sendable {
    let database: any Storage

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let from: Int64
        let to: Int64
        do {
            from = try request.query["from"].map { try Self.time($0, "from") } ?? 0
            to = try request.query["to"].map { try Self.time($0, "to") } ?? Int64.max
        }
        var limit = 1000
        if let text = request.query["limit"] {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw HTTPError.badRequest("limit must be a whole number from 1 to 10000", field: "limit")
            }
            limit = value
        }
        let entries = try database.auditEntries(from: from, to: to, target: request.query["target"], limit: limit)
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

    private static func time(_ text: String, _ name: String) throws -> Int64 {
        guard let millis = Timestamp.parse(text, allowDate: true) else {
            throw HTTPError.badRequest("\(name) must be an RFC 3339 time or a date", field: name)
        }
        return millis
    }

    /// Stored JSON text (written by Bursar), passed through as it is.
    private static func document(_ text: String?) -> JSONValue {
        text.map { .raw(Array($0.utf8)) } ?? .null
    }
}
