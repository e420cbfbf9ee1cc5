import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// Policy versions: list, read, submit (validated), activate (rollback = activating an older
/// one), and the difference between two versions.
struct PoliciesHandler: Sendable {
    static let maximumSourceBytes = 1024 * 1024

    let store: any PolicyStore
    let prices: PriceBook

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        .response(.json(.object([("policies", .array(try store.policyVersions().map { Self.summary($0) }))])))
    }

    func get(_ request: Request, _ context: APIContext) throws -> Reply {
        let version = try find(context.require("revision"))
        var members = Self.summary(version).objectMembers
        members += [("source", .string(version.source)), ("policy", version.policy.json)]
        return .response(.json(.object(members)))
    }

    /// A policy submitted in a request body, or the 422 answer naming every problem.
    enum Submission {
        case valid(Policy, source: String, warnings: [PolicyProblem])
        case invalid(Response)
    }

    static func submission(_ request: Request, catalog: PriceCatalog) throws -> Submission {
        guard MediaTypes.policy.contains(request.mediaType ?? "") else {
            throw HTTPError(415, code: "unsupported_media_type", message: "send the policy as application/yaml or application/json",
                            field: "Content-Type")
        }
        guard request.body.count <= Self.maximumSourceBytes else {
            throw HTTPError(413, code: "body_too_large", message: "a policy is at most \(Self.maximumSourceBytes) bytes")
        }
        guard let source = String(validating: request.body, as: UTF8.self) else {
            throw HTTPError.badRequest("the policy is not valid UTF-8")
        }
        let reading = PolicyFile.read(source, catalog: catalog)
        guard let policy = reading.policy else {
            let first = reading.errors.first
            let body = HTTPError.errorBody(code: "invalid_policy", message: first?.description ?? "the policy is not valid",
                                           field: first?.field)
            let problems = JSONValue.array(reading.problems.map(Self.problem))
            return .invalid(.json(.object(body.objectMembers + [("problems", problems)]), status: 422))
        }
        return .valid(policy, source: source, warnings: reading.problems)
    }

    func create(_ request: Request, _ context: APIContext) throws -> Reply {
        let activate = try Self.flag(request.query["activate"], name: "activate")
        let (policy, source, warnings): (Policy, String, [PolicyProblem])
        switch try Self.submission(request, catalog: prices.current.catalog) {
        case .invalid(let response): return .response(response)
        case .valid(let valid, let text, let problems): (policy, source, warnings) = (valid, text, problems)
        }
        let (version, created) = try store.addPolicyVersion(policy, source: source, author: context.key?.name ?? "unknown",
                                                               origin: "api", activate: activate)
        var members = Self.summary(version).objectMembers
        members.append(("warnings", .array(warnings.map(Self.problem))))
        return .response(.json(.object(members), status: created ? 201 : 200))
    }

    /// Activates a version; an optional JSON body `{"reason": "..."}` goes into the audit log.
    /// Activating the version already active changes nothing and records nothing.
    func activate(_ request: Request, _ context: APIContext) throws -> Reply {
        let revision = try find(context.require("revision")).revision
        var reason: String?
        if !request.body.isEmpty {
            do {
                reason = try ActivationReason.parse(try request.jsonBody(describing: "activation"))
            } catch let error as FieldError {
                throw HTTPError(422, error)
            }
        }
        let version = try store.activatePolicy(revision: revision, actor: context.key?.name ?? "unknown", reason: reason)
        return .response(.json(Self.summary(version)))
    }

    func diff(_ request: Request, _ context: APIContext) throws -> Reply {
        let old = try find(context.require("from"))
        let new = try find(context.require("to"))
        let lines = LineDiff.lines(from: old.source, to: new.source)
        return .response(.json(.object([
            ("from", .string(old.revision)),
            ("to", .string(new.revision)),
            ("changed", .bool(lines.contains { if case .same = $0 { return false } else { return true } })),
            ("lines", .array(lines.map { .string($0.rendered) })),
        ])))
    }

    /// A version by full revision or by a unique prefix of at least 8 characters.
    func find(_ revision: String) throws -> PolicyVersion {
        if let version = try store.policyVersion(revision) { return version }
        if revision.count >= 8 {
            let matches = try store.policyVersions().filter { $0.revision.hasPrefix(revision) }
            if matches.count == 1 { return matches[0] }
        }
        throw HTTPError.notFound("no policy version \(revision)")
    }

    static func summary(_ version: PolicyVersion) -> JSONValue {
        .object([
            ("revision", .string(version.revision)),
            ("name", .string(version.policy.name)),
            ("author", .string(version.author)),
            ("origin", .string(version.origin)),
            ("created_at", .string(Timestamp.format(version.createdAt))),
            ("active", .bool(version.active)),
        ])
    }

    static func problem(_ problem: PolicyProblem) -> JSONValue {
        .object([
            ("severity", .string(problem.severity.rawValue)),
            ("field", .string(problem.field)),
            ("line", problem.line.map { .integer(Int64($0)) } ?? .null),
            ("message", .string(problem.message)),
        ])
    }

    static func flag(_ value: String?, name: String) throws -> Bool {
        switch value {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default: throw HTTPError.badRequest("\(name) must be true or false", field: name)
        }
    }
}
