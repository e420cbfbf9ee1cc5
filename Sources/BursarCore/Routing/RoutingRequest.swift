/// What a router knows about one request before choosing a model: who asks, for what, how
/// hard it looks, and whether it carries personal data.
public struct RoutingRequest: Sendable, Equatable {
    public var user: String
    public var team: String
    public var feature: String
    public var intent: String
    /// 0–1, from the router's classifier.
    public var complexity: Double?
    /// 0–1, the router's confidence in a cheap answer (or in its classification).
    public var confidence: Double?
    public var pii: Bool
    /// Words the router found in the request, lowercased.
    public var keywords: [String]
    public var contextTokens: Int64?
    /// Makes shadow sampling repeatable.
    public var requestID: String

    public init(user: String = "", team: String = "", feature: String = "", intent: String = "", complexity: Double? = nil,
                confidence: Double? = nil, pii: Bool = false, keywords: [String] = [], contextTokens: Int64? = nil, requestID: String = "") {
        self.user = user
        self.team = team
        self.feature = feature
        self.intent = intent
        self.complexity = complexity
        self.confidence = confidence
        self.pii = pii
        self.keywords = keywords.map { $0.lowercased() }
        self.contextTokens = contextTokens
        self.requestID = requestID
    }

    /// The routing inputs an event carries (what a simulation replays).
    public init(event: UsageEvent) {
        self.init(user: event.user, team: event.team, feature: event.feature, intent: event.intent, complexity: event.complexity,
                  confidence: event.confidence, pii: event.pii ?? false, contextTokens: event.contextTokens, requestID: event.requestID)
    }

    /// Reads `POST /v1/decide`'s body, naming the field that is wrong.
    public static func parse(_ body: JSONValue) throws(FieldError) -> RoutingRequest {
        guard case .object(let members) = body else { throw FieldError(code: "invalid_body", message: "a request descriptor is a JSON object") }
        let allowed: Set<String> = ["user", "team", "feature", "intent", "complexity", "confidence", "pii", "keywords", "context_tokens", "request_id"]
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw .invalid(unknown.0, "is not a request field (\(allowed.sorted().joined(separator: ", ")))")
        }
        func text(_ name: String) throws(FieldError) -> String {
            guard let value = body[member: name], value != .null else { return "" }
            guard let text = value.stringValue else { throw .invalid(name, "must be a string") }
            guard text.utf8.count <= 256 else { throw .invalid(name, "must be at most 256 bytes") }
            return text
        }
        func fraction(_ name: String) throws(FieldError) -> Double? {
            guard let value = body[member: name], value != .null else { return nil }
            guard let number = value.numberValue, (0...1).contains(number) else { throw .invalid(name, "must be a number from 0 to 1") }
            return number
        }
        var request = RoutingRequest(user: try text("user"), team: try text("team"), feature: try text("feature"), intent: try text("intent"),
                                     complexity: try fraction("complexity"), confidence: try fraction("confidence"),
                                     requestID: try text("request_id"))
        if let value = body[member: "pii"], value != .null {
            guard let flag = value.boolValue else { throw .invalid("pii", "must be true or false") }
            request.pii = flag
        }
        if let value = body[member: "keywords"], value != .null {
            guard let words = value.arrayValue, words.count <= 256, words.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalid("keywords", "must be a list of at most 256 strings")
            }
            request.keywords = words.compactMap(\.stringValue).map { $0.lowercased() }
        }
        if let value = body[member: "context_tokens"], value != .null {
            guard let tokens = value.integerValue, tokens >= 0 else { throw .invalid("context_tokens", "must be a whole number, 0 or more") }
            request.contextTokens = tokens
        }
        return request
    }
}
