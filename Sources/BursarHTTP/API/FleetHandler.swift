import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// `POST /v1/status` (routers report what they run) and `GET /v1/fleet`.
struct FleetHandler: Sendable {
    let database: any Storage
    let publisher: BundlePublisher
    let clock: WallClock

    func report(_ request: Request, _ context: APIContext) throws -> Reply {
        let body = try request.jsonBody(describing: "status")
        let status: RouterStatus
        do {
            status = try RouterStatus.parse(body, defaultSource: context.key?.name ?? "unknown", now: clock())
        } catch {
            throw HTTPError(422, error)
        }
        let sources = context.key?.sources ?? .own(status.source)
        guard sources.allows(status.source) else {
            throw HTTPError(422, code: "foreign_source", message: "source '\(status.source)' is not one this key may write (it may write: \(sources.text))",
                            field: "source")
        }
        try database.recordStatus(status)
        let current = try publisher.current().bundle.revision
        return .response(.json(.object([
            ("instance_id", .string(status.instanceID)),
            ("state", .string(status.state(currentRevision: current, now: clock()).rawValue)),
            ("current_revision", .string(current)),
        ])))
    }

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let current = try publisher.current().bundle.revision
        let now = clock()
        let instances: [JSONValue] = try database.fleet().map { status in
            var members: [(String, JSONValue)] = [
                ("instance_id", .string(status.instanceID)),
                ("source", .string(status.source)),
                ("state", .string(status.state(currentRevision: current, now: now).rawValue)),
                ("applied_revision", status.appliedRevision.map(JSONValue.string) ?? .null),
                ("attempted_revision", status.attemptedRevision.map(JSONValue.string) ?? .null),
                ("poll_interval_s", .integer(status.pollIntervalSeconds)),
                ("last_seen", .string(Timestamp.format(status.lastSeen))),
            ]
            if status.errorCode != nil || status.errorMessage != nil {
                members.append(("error", .object([("code", .string(status.errorCode ?? "")), ("message", .string(status.errorMessage ?? ""))])))
            }
            return .object(members)
        }
        return .response(.json(.object([("current_revision", .string(current)), ("instances", .array(instances))])))
    }
}
