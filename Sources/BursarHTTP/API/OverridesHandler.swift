import BursarCore
import HTTPToolkit
import BursarStorage

/// `GET /v1/overrides`, `GET/PUT/DELETE /v1/overrides/{id}`.
struct OverridesHandler: Sendable {
    let store: any OverrideStore & PolicyStore
    let clock: WallClock

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let includeExpired = try PoliciesHandler.flag(request.query["include_expired"], name: "include_expired")
        let overrides = try store.overrides(activeAt: clock(), includeExpired: includeExpired)
        return .response(.json(.object([("overrides", .array(overrides.map(\.json)))])))
    }

    func get(_ request: Request, _ context: APIContext) throws -> Reply {
        let id = try context.require("id")
        guard let override = try store.override(id: id) else { throw HTTPError.notFound("no override \(id)") }
        return .response(.json(override.json))
    }

    func put(_ request: Request, _ context: APIContext) throws -> Reply {
        let body = try request.jsonBody(describing: "override")
        let tiers = try store.activePolicy().map { Set($0.policy.tiers.map(\.name)) }
        let override: Override
        let id = try context.require("id")
        do {
            override = try Override.parse(id: id, body, author: context.key?.name ?? "unknown",
                                          now: clock(), tiers: tiers)
        } catch {
            throw HTTPError(422, error)
        }
        let created = try store.putOverride(override)
        return .response(.json(override.json, status: created ? 201 : 200))
    }

    func delete(_ request: Request, _ context: APIContext) throws -> Reply {
        let id = try context.require("id")
        guard try store.deleteOverride(id: id, actor: context.key?.name ?? "unknown") else {
            throw HTTPError.notFound("no override \(id)")
        }
        return .response(Response(status: 204))
    }
}
