import BursarCore
/// A bundle a router holds, one it receives and a time: whether the received one is refused
/// as older (`RoutingBundle.isIssued(before:)`) and whether it is stale then.
struct BundleOrderCase {
    let name: String
    let held: RoutingBundle
    let received: RoutingBundle
    let now: Int64
    let expected: JSONValue

    init(_ item: JSONValue) throws(FieldError) {
        name = item[member: "name"]?.stringValue ?? "(unnamed)"
        held = try Self.bundle(item[member: "held"], path: "cases[].held")
        received = try Self.bundle(item[member: "received"], path: "cases[].received")
        guard let now = item[member: "now"]?.stringValue.flatMap({ Timestamp.parse($0) }) else { throw .invalid("cases[].now", "must be an RFC 3339 time") }
        self.now = now
        guard let expected = item[member: "expect"] else { throw .missing("cases[].expect") }
        self.expected = expected
    }

    static func bundle(_ value: JSONValue?, path: String) throws(FieldError) -> RoutingBundle {
        guard let value, let revision = value[member: "revision"]?.stringValue else { throw .missing(path + ".revision") }
        guard let serial = value[member: "serial"]?.integerValue else { throw .missing(path + ".serial") }
        guard let issuedAt = value[member: "issued_at"]?.stringValue.flatMap({ Timestamp.parse($0) }) else {
            throw .invalid(path + ".issued_at", "must be an RFC 3339 time")
        }
        var staleAfter: Int64?
        if let text = value[member: "stale_after"]?.stringValue {
            guard let parsed = Timestamp.parse(text) else { throw .invalid(path + ".stale_after", "must be an RFC 3339 time") }
            staleAfter = parsed
        }
        return RoutingBundle(revision: revision, serial: serial, issuedAt: issuedAt, staleAfter: staleAfter, policy: nil)
    }

    func run() -> ConformanceResult {
        let actual: JSONValue = .object([("older", .bool(received.isIssued(before: held))), ("stale", .bool(received.isStale(at: now)))])
        return ConformanceResult(name: name, expected: expected, actual: actual)
    }
}
