import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// `POST /v1/status` (routers report what they run) and `GET /v1/fleet`.
struct FleetHandler: Sendable {
    let store: any FleetStore & BundleStore
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
        try store.recordStatus(status, maximumPerSource: RouterStatus.maximumInstancesPerSource)
        let current = try publisher.current().bundle.revision
        return .response(.json(.object([
            ("instance_id", .string(status.instanceID)),
            ("state", .string(status.state(currentRevision: current, now: clock()).rawValue)),
            ("current_revision", .string(current)),
        ])))
    }

    /// One page of instances, ordered by instance id and source: `limit` (1 to 1,000, 500 by
    /// default) and `after` (the `next` of the page before).
    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let current = try publisher.current().bundle
        let now = clock()
        let limit = try request.integerParameter("limit", in: 1...Self.maximumPage) ?? Self.defaultPage
        let cursor = try request.query["after"].map(Self.cursor)
        let fleet = try store.fleet(after: cursor, limit: limit + 1)
        let next = fleet.count > limit ? fleet[limit - 1] : nil
        let page = fleet.prefix(limit)
        let revisions = Set(page.flatMap { [$0.appliedRevision, $0.attemptedRevision].compactMap { $0 } } + [current.revision])
        let history = try store.issuedBundles(revisions: revisions)
        let instances: [JSONValue] = page.map { status in
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
            ("next", next.map { .string(Self.token($0)) } ?? .null),
        ])))
    }

    static let defaultPage = 500
    static let maximumPage = 1_000

    /// A page's end as an opaque token: the hex of `instance id NUL source`.
    static func token(_ status: RouterStatus) -> String {
        (Array(status.instanceID.utf8) + [0] + Array(status.source.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func cursor(_ token: String) throws -> FleetCursor {
        let digits = Array(token.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index + 1 < digits.count, let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) {
            bytes.append(byte)
            index += 2
        }
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        guard index == digits.count, parts.count == 2, let instance = String(validating: parts[0], as: UTF8.self),
              let source = String(validating: parts[1], as: UTF8.self) else {
            throw HTTPError(400, code: "invalid_parameter", message: "after is the next token of a fleet page", field: "after")
        }
        return FleetCursor(instanceID: instance, source: source)
    }

    /// The policy a bundle carried: `{revision, name}`, null when it had none or is not in
    /// the history (issued before the history was kept).
    private static func policy(_ issued: IssuedBundle?) -> JSONValue {
        guard let issued, let revision = issued.policyRevision else { return .null }
        return .object([("revision", .string(revision)), ("name", .string(issued.policyName ?? ""))])
    }
}
