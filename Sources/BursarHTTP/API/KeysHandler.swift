import BursarCore
import HTTPToolkit
import BursarStorage

/// `GET /v1/keys`, `POST /v1/keys` (the secret is in the answer, once) and
/// `DELETE /v1/keys/{name}` (revoke): the dashboard's key screen. Admin only.
struct KeysHandler: Sendable {
    static let fields: Set<String> = ["name", "role", "sources"]

    let store: any KeyStore

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let keys = try store.listKeys().sorted { ($0.revokedAt != nil ? 1 : 0, $0.name) < ($1.revokedAt != nil ? 1 : 0, $1.name) }
        return .response(.json(.object([("keys", .array(keys.map(Self.json)))])))
    }

    func create(_ request: Request, _ context: APIContext) throws -> Reply {
        let body = try request.jsonBody(describing: "key")
        guard case .object(let members) = body else {
            throw HTTPError(422, code: "invalid_field", message: "send an object: {\"name\", \"role\", \"sources\"}")
        }
        if let unknown = members.map(\.0).first(where: { !Self.fields.contains($0) }) {
            throw HTTPError(422, code: "unknown_field", message: "\(unknown) is not a field of a key (name, role, sources)", field: unknown)
        }
        guard let name = body[member: "name"]?.stringValue, (try? KeyError.check(name: name)) != nil else {
            throw HTTPError(422, code: "invalid_field", message: KeyError.invalidName.description, field: "name")
        }
        // Revoked by name in a path: a name with a slash could not be.
        guard !name.contains("/") else {
            throw HTTPError(422, code: "invalid_field", message: "a key name made here has no '/' (it is revoked by name in a URL)", field: "name")
        }
        guard let roleName = body[member: "role"]?.stringValue, let role = Role(rawValue: roleName) else {
            throw HTTPError(422, code: "invalid_field", message: "role is router, viewer or admin", field: "role")
        }
        var sources: SourceGrant?
        if let value = body[member: "sources"], value != .null {
            guard let text = value.stringValue, let grant = SourceGrant(parsing: text), role == .router || role == .admin else {
                throw HTTPError(422, code: "invalid_field", message: role == .viewer ? "a viewer key writes no events: it takes no sources"
                                    : KeyError.invalidSources(value.stringValue ?? "").description, field: "sources")
            }
            sources = grant
        }
        let secret: String
        do {
            secret = try store.createKey(name: name, role: role, sources: sources, actor: context.key?.name ?? "unknown")
        } catch KeyError.nameTaken {
            throw HTTPError(409, code: "name_taken", message: KeyError.nameTaken(name).description, field: "name")
        }
        let created = try store.listKeys().last { $0.name == name && $0.revokedAt == nil }
        let answer: [(String, JSONValue)] = (created.map(Self.json)?.objectMembers ?? []) + [("key", .string(secret))]
        return .response(.json(.object(answer), status: 201, headers: [("Cache-Control", "no-store")]))
    }

    func revoke(_ request: Request, _ context: APIContext) throws -> Reply {
        let name = try context.require("name")
        do {
            try store.revokeKey(name: name, actor: context.key?.name ?? "unknown")
        } catch KeyError.notFound {
            throw HTTPError.notFound(KeyError.notFound(name).description)
        } catch KeyError.lastAdminKey {
            throw HTTPError(409, code: "last_admin_key", message: KeyError.lastAdminKey(name).description)
        }
        return .response(Response(status: 204))
    }

    static func json(_ key: APIKey) -> JSONValue {
        .object([
            ("name", .string(key.name)),
            ("role", .string(key.role.rawValue)),
            ("sources", key.role == .viewer ? .null : .string(key.sources.text)),
            ("created_at", .string(Timestamp.format(key.createdAt))),
            ("revoked_at", key.revokedAt.map { .string(Timestamp.format($0)) } ?? .null),
        ])
    }
}
