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
        let current = try publisher.current().bundle
        let now = clock()
        let fleet = try database.fleet()
        let revisions = Set(fleet.flatMap { [$0.appliedRevision, $0.attemptedRevision].compactMap { $0 } } + [current.revision])
        let history = try database.issuedBundles(revisions: revisions)
        let instances: [JSONValue] = fleet.map { status in
            let applied = status.appliedRevision.flatMap { history[$0] }
            let behind = applied.map { max(0, current.issue.serial - $0.serial) }
            var members: [(String, JSONValue)] = [
                ("instance_id", .string(status.instanceID)),
                ("source", .string(status.source)),
                ("state", .string(status.state(currentRevision: current.revision, now: now).rawValue)),
                ("applied_revision", status.appliedRevision.map(JSONValue.string) ?? .null),
                ("applied_serial", .optional(applied?.serial)),
                ("applied_policy", Self.policy(applied)),
                ("revisions_behind", .optional(behind)),
                ("behind_since", behind.flatMap { $0 > 0 ? applied?.supersededAt : nil }.map { .string(Timestamp.format($0)) } ?? .null),
                ("attempted_revision", status.attemptedRevision.map(JSONValue.string) ?? .null),
                ("attempted_policy", Self.policy(status.attemptedRevision.flatMap { history[$0] })),
                ("poll_interval_s", .integer(status.pollIntervalSeconds)),
                ("last_seen", .string(Timestamp.format(status.lastSeen))),
            ]
            if status.errorCode != nil || status.errorMessage != nil {
                members.append(("error", .object([("code", .string(status.errorCode ?? "")), ("message", .string(status.errorMessage ?? ""))])))
            }
            return .object(members)
        }
        return .response(.json(.object([
            ("current_revision", .string(current.revision)),
            ("current_serial", .integer(current.issue.serial)),
            ("current_policy", Self.policy(history[current.revision])),
            ("instances", .array(instances)),
        ])))
    }

    /// The policy a bundle carried: `{revision, name}`, null when it had none or is not in
    /// the history (issued before the history was kept).
    private static func policy(_ issued: IssuedBundle?) -> JSONValue {
        guard let issued, let revision = issued.policyRevision else { return .null }
        return .object([("revision", .string(revision)), ("name", .string(issued.policyName ?? ""))])
    }
}
