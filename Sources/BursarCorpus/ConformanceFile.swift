import BursarCore
/// One file of the conformance corpus (`conformance/`): the cases that define how a router
/// decides, for every engine (Swift here, Python in `clients/python`) to pass.
///
/// A file is one of four kinds:
/// - `decisions`: a bundle (policy, overrides, budgets), a time, and cases, each a routing
///   request with optional runtime state (open circuits, an attempt's outcome) and the
///   expected decision, shadow model and runtime move. A case may bring its own overrides or
///   budgets in place of the file's.
/// - `breakers`: circuit breaker settings and a timeline of outcomes and checks.
/// - `samples`: request ids and models with the exact shadow-sampling fraction of each.
/// - `bundles`: a bundle held, one received and a time: whether the received one is refused as
///   older, and whether it is stale.
public struct ConformanceFile: Sendable {
    public enum Kind: String, Sendable { case decisions, breakers, samples, bundles }

    public let name: String
    public let kind: Kind
    public let document: JSONValue

    public init(name: String, bytes: [UInt8]) throws(FieldError) {
        self.name = name
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw FieldError(code: "invalid_corpus", message: "\(name) is not JSON: \(error)")
        }
        guard let kindName = document[member: "kind"]?.stringValue, let kind = Kind(rawValue: kindName) else {
            throw .invalid("kind", "must be decisions, breakers, samples or bundles")
        }
        self.kind = kind
    }

    /// Every case of the file with what it expected and what the engine answered.
    public func run() throws(FieldError) -> [ConformanceResult] {
        switch kind {
        case .decisions:
            let shared = try DecisionCase.Shared(file: document)
            return try items("cases").map { (item) throws(FieldError) in try DecisionCase(item, shared: shared).run() }
        case .breakers:
            return try items("breakers").map { (item) throws(FieldError) in try BreakerScenario(item).run() }
        case .samples:
            return try items("samples").map { (item) throws(FieldError) in try SampleCase(item).run() }
        case .bundles:
            return try items("cases").map { (item) throws(FieldError) in try BundleOrderCase(item).run() }
        }
    }

    private func items(_ member: String) throws(FieldError) -> [JSONValue] {
        guard let items = document[member: member]?.arrayValue else { throw .invalid(member, "must be a list") }
        return items
    }
}

/// One case's expectation beside the engine's answer (equal when the engine conforms).
public struct ConformanceResult: Sendable {
    public let name: String
    public let expected: JSONValue
    public let actual: JSONValue

    public var passed: Bool { expected.canonicalBytes == actual.canonicalBytes }
}

extension JSONValue {
    /// Serialised with sorted keys: equal bytes for equal documents whatever their member order.
    var canonicalBytes: [UInt8] { serialized(canonical: true) }
}
