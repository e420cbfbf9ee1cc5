import BursarCore
/// A circuit breaker fed a timeline: each step records a success or a failure, or asks
/// whether a request may go (`allows`, which takes the half-open probe) or whether it is open
/// (`is_open`, which does not), and says the answer and the state after it.
///
/// ```json
/// {"name": "opens at the error rate", "settings": {"error_rate": 0.5, "min_requests": 4,
///  "window_seconds": 10, "cooldown_seconds": 30},
///  "steps": [{"at_ms": 0, "do": "failure", "state": "closed"},
///            {"at_ms": 100, "do": "allows", "answer": true, "state": "closed"}]}
/// ```
struct BreakerScenario {
    let name: String
    let settings: Policy.CircuitBreaker
    let steps: [JSONValue]

    init(_ item: JSONValue) throws(FieldError) {
        name = item[member: "name"]?.stringValue ?? "(unnamed)"
        // Read as a policy's circuit_breaker is, with the same defaults.
        let policy = try Policy(json: .object([("name", "breaker"), ("baseline_tier", "t"), ("default_tier", "t"),
                                               ("circuit_breaker", item[member: "settings"] ?? .object([]))]))
        settings = policy.circuitBreaker
        guard let steps = item[member: "steps"]?.arrayValue else { throw .missing("\(name): steps") }
        self.steps = steps
    }

    func run() throws(FieldError) -> ConformanceResult {
        var breaker = CircuitBreakerState(settings: settings)
        var actual: [JSONValue] = []
        for (index, step) in steps.enumerated() {
            guard let at = step[member: "at_ms"]?.integerValue else { throw .missing("\(name): steps[\(index)].at_ms") }
            let action = step[member: "do"]?.stringValue ?? ""
            var answer: Bool?
            switch action {
            case "success": breaker.record(success: true, at: at)
            case "failure": breaker.record(success: false, at: at)
            case "allows": answer = breaker.allows(at: at)
            case "is_open": answer = breaker.isOpen(at: at)
            default: throw .invalid("\(name): steps[\(index)].do", "must be success, failure, allows or is_open")
            }
            var members: [(String, JSONValue)] = [("at_ms", .integer(at)), ("do", .string(action))]
            if let answer { members.append(("answer", .bool(answer))) }
            members.append(("state", .string(breaker.state.rawValue)))
            actual.append(.object(members))
        }
        return ConformanceResult(name: name, expected: .array(steps), actual: .array(actual))
    }
}
