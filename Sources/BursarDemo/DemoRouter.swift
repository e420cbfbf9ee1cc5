import BursarClient
import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import Dispatch
import Foundation

/// An example router built on the SDK: OpenAI-style chat completions in front of fake
/// providers, routed by Bursar's bundle, every attempt shipped as an event.
///
/// Per request: decide (budgets, overrides, rules; open circuits avoided), call the tier's
/// models in order, fall back on failures and on the latency guardrail, escalate up the ladder
/// on a confidence inside the band or on invalid output, sample shadows, and feed the tier's
/// circuit breaker with how its chain did.
public struct DemoRouter: Responder {
    static let maximumAttempts = 8

    let client: RouterClient
    let providers: FakeProviders
    let instanceID: String

    public init(client: RouterClient, providers: FakeProviders, instanceID: String) {
        self.client = client
        self.providers = providers
        self.instanceID = instanceID
    }

    public func respond(to request: Request) -> Reply {
        do {
            switch (request.method, request.path) {
            case ("POST", "/v1/chat/completions"): return .response(try chat(request))
            case ("GET", "/demo/state"): return .response(.json(state))
            case ("GET", "/healthz"): return .response(.json(["status": "ok"]))
            case ("PUT", let path) where path.hasPrefix("/demo/providers/"):
                return .response(try setProvider(String(path.dropFirst("/demo/providers/".count)), request))
            default:
                throw HTTPError.notFound("no route for \(request.method) \(request.path); try POST /v1/chat/completions")
            }
        } catch let error as HTTPError {
            return .response(error.response)
        } catch {
            return .response(HTTPError(500, code: "internal", message: "\(error)").response)
        }
    }

    // MARK: - Chat

    private struct Attempt {
        var number: Int64
        var tier: String
        var model: ModelKey
        var reason: AttemptReason
        var status: EventStatus
        var latency: Int64
    }

    private func chat(_ request: Request) throws -> Response {
        let chat: ChatRequest
        do {
            chat = try ChatRequest.parse(try request.jsonBody(describing: "chat completion request"))
        } catch let error as FieldError {
            throw HTTPError(422, error)
        }
        guard let engine = client.engine, let decision = client.decide(chat.routing) else {
            throw HTTPError(503, code: "no_bundle", message: "the router has no bundle yet (Bursar not reached, nothing cached)",
                            headers: [("Retry-After", "1")])
        }
        if decision.blocked {
            ship(chat, decision, Attempt(number: 1, tier: decision.tier, model: decision.models.first ?? ModelKey(provider: "none", model: "none"),
                                         reason: .primary, status: .blocked, latency: 0), outputTokens: 0)
            throw HTTPError(429, code: "budget_blocked", message: decision.reasons.joined(separator: "; "))
        }
        if let shadow = engine.shadow(for: decision, requestID: chat.routing.requestID) {
            DispatchQueue.global().async {
                let (outcome, latency) = providers.call(shadow, prompt: chat.prompt, difficulty: chat.routing.complexity ?? 0.5, deadlineMillis: nil)
                ship(chat, decision, Attempt(number: 1, tier: decision.tier, model: shadow, reason: .shadow,
                                             status: Self.status(outcome), latency: latency), outputTokens: Self.outputTokens(outcome))
            }
        }
        var tier = decision.tier
        var modelIndex = 0
        var steps = 0
        var retried = false
        var reason = AttemptReason.primary
        var attempts: [Attempt] = []
        while attempts.count < Self.maximumAttempts {
            guard let tierSpec = engine.tier(named: tier), modelIndex < tierSpec.models.count else { break }
            let model = tierSpec.models[modelIndex]
            let deadline = engine.policy.fallback.latencyGuardrail ? tierSpec.latencySLOMillis : nil
            let (outcome, latency) = providers.call(model, prompt: chat.prompt, difficulty: chat.routing.complexity ?? 0.5, deadlineMillis: deadline)
            let attempt = Attempt(number: Int64(attempts.count + 1), tier: tier, model: model, reason: reason, status: Self.status(outcome), latency: latency)
            attempts.append(attempt)
            ship(chat, decision, attempt, outputTokens: Self.outputTokens(outcome))
            switch outcome {
            case .answer(let text, let confidence):
                client.record(tier: tier, success: true)
                if let next = engine.escalation(from: tier, confidence: confidence, stepsTaken: steps, locked: decision.locked) {
                    (tier, modelIndex, steps, reason) = (next, 0, steps + 1, .escalation)
                    continue
                }
                return answer(text, chat: chat, decision: decision, attempts: attempts, confidence: confidence)
            case .garbage:
                switch engine.moveForInvalidOutput(tier: tier, modelIndex: modelIndex, stepsTaken: steps, retried: retried, locked: decision.locked) {
                case .escalate(let next): (tier, modelIndex, steps, reason) = (next, 0, steps + 1, .escalation)
                case .retry: (retried, reason) = (true, .retry)
                case .fallback(let index): (modelIndex, reason) = (index, .fallback)
                case .stop: return try failure(tier: tier, "the \(tier) tier's answers were not valid", attempts)
                }
            case .failed(let kind):
                switch engine.moveForFailure(kind, tier: tier, modelIndex: modelIndex) {
                case .fallback(let index): (modelIndex, reason) = (index, .fallback)
                default: return try failure(tier: tier, "every model of the \(tier) tier failed (last: \(kind))", attempts)
                }
            }
        }
        return try failure(tier: tier, "no answer after \(attempts.count) attempts", attempts)
    }

    private func failure(tier: String, _ message: String, _ attempts: [Attempt]) throws -> Response {
        client.record(tier: tier, success: false)
        throw HTTPError(502, code: "providers_failed", message: message)
    }

    private func answer(_ text: String, chat: ChatRequest, decision: RoutingDecision, attempts: [Attempt], confidence: Double) -> Response {
        let last = attempts.last!
        let completion = Int64(text.utf8.count / 4 + 40)
        let body: JSONValue = .object([
            ("id", .string("chatcmpl-\(chat.routing.requestID)")),
            ("object", "chat.completion"),
            ("created", .integer(WallClock.system() / 1000)),
            ("model", .string(last.model.model)),
            ("choices", .array([.object([
                ("index", 0),
                ("message", .object([("role", "assistant"), ("content", .string(text))])),
                ("finish_reason", "stop"),
            ])])),
            ("usage", .object([("prompt_tokens", .integer(chat.promptTokens)), ("completion_tokens", .integer(completion)),
                               ("total_tokens", .integer(chat.promptTokens + completion))])),
            ("bursar", .object([
                ("tier", .string(last.tier)),
                ("decided_tier", .string(decision.tier)),
                ("rule", decision.rule.map(JSONValue.string) ?? .null),
                ("reasons", .array(decision.reasons.map(JSONValue.string))),
                ("revision", .string(decision.revision)),
                ("confidence", .number((confidence * 100).rounded() / 100)),
                ("attempts", .array(attempts.map { attempt in
                    .object([("tier", .string(attempt.tier)), ("provider", .string(attempt.model.provider)), ("model", .string(attempt.model.model)),
                             ("reason", .string(attempt.reason.rawValue)), ("status", .string(attempt.status.rawValue)),
                             ("latency_ms", .integer(attempt.latency))])
                })),
            ])),
        ])
        return .json(body, headers: [("X-Bursar-Tier", last.tier), ("X-Bursar-Model", "\(last.model.provider)/\(last.model.model)"),
                                     ("X-Bursar-Attempts", String(attempts.count))])
    }

    // MARK: - Events

    private func ship(_ chat: ChatRequest, _ decision: RoutingDecision, _ attempt: Attempt, outputTokens: Int64) {
        let routing = chat.routing
        let suffix = attempt.reason == .shadow ? "shadow" : String(attempt.number)
        // The source is the key's own (its name): a key writes only into the sources it owns.
        var event = UsageEvent(id: "\(routing.requestID)-\(suffix)", source: "", time: WallClock.system(),
                               model: attempt.model.model, provider: attempt.model.provider, tier: attempt.tier,
                               inputTokens: attempt.status == .ok || attempt.status == .invalidOutput ? chat.promptTokens : 0,
                               outputTokens: outputTokens)
        event.user = routing.user
        event.team = routing.team
        event.feature = routing.feature
        event.latencyMillis = attempt.latency
        event.status = attempt.status
        event.requestID = routing.requestID
        event.attempt = attempt.number
        event.reason = attempt.reason
        event.rule = decision.rule ?? ""
        event.policyRevision = client.engine?.revision ?? ""
        event.intent = routing.intent
        event.complexity = routing.complexity
        event.confidence = routing.confidence
        event.pii = routing.pii
        event.contextTokens = routing.contextTokens
        client.events.ship(event)
    }

    private static func status(_ outcome: FakeProviders.Outcome) -> EventStatus {
        switch outcome {
        case .answer: return .ok
        case .garbage: return .invalidOutput
        case .failed(let kind): return kind == "timeout" ? .timeout : .error
        }
    }

    private static func outputTokens(_ outcome: FakeProviders.Outcome) -> Int64 {
        switch outcome {
        case .answer(let text, _): return Int64(text.utf8.count / 4 + 40)
        case .garbage: return 60
        case .failed: return 0
        }
    }

    // MARK: - Demo controls

    private var state: JSONValue {
        let snapshot = client.bundles.snapshot
        let statistics = client.events.statistics
        let tiers = client.engine?.policy.tiers.map(\.name) ?? []
        return .object([
            ("instance_id", .string(instanceID)),
            ("bundle", .object([("revision", snapshot.map { .string($0.bundle.revision) } ?? .null),
                                ("origin", snapshot.map { .string($0.origin.rawValue) } ?? .null),
                                ("last_error", client.bundles.lastError.map(JSONValue.string) ?? .null)])),
            ("breakers", .object(tiers.map { ($0, .string(client.breakerState(tier: $0).rawValue)) })),
            ("providers", .object(providers.all.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })),
            ("events", .object([("queued", .integer(Int64(statistics.queued))), ("accepted", .integer(Int64(statistics.accepted))),
                                ("duplicates", .integer(Int64(statistics.duplicates))), ("rejected", .integer(Int64(statistics.rejected))),
                                ("dropped", .integer(Int64(statistics.dropped))), ("spooled", .integer(Int64(statistics.spooled)))])),
        ])
    }

    /// `PUT /demo/providers/groq` with `{"latency_ms":…,"error_rate":…,"garbage_rate":…}` (any of them).
    private func setProvider(_ name: String, _ request: Request) throws -> Response {
        guard !name.isEmpty else { throw HTTPError.notFound("name a provider: /demo/providers/{provider}") }
        let body = try request.jsonBody(describing: "provider behaviour")
        var behaviour = providers.behaviour(of: name)
        if let value = body[member: "latency_ms"] {
            guard let millis = value.integerValue, millis >= 0 else { throw HTTPError(422, FieldError.invalid("latency_ms", "must be a whole number, 0 or more")) }
            behaviour.latencyMillis = millis
        }
        for (field, path) in [("error_rate", \FakeProviders.Behaviour.errorRate), ("garbage_rate", \FakeProviders.Behaviour.garbageRate)] {
            if let value = body[member: field] {
                guard let rate = value.numberValue, (0...1).contains(rate) else { throw HTTPError(422, FieldError.invalid(field, "must be from 0 to 1")) }
                behaviour[keyPath: path] = rate
            }
        }
        providers.set(name, behaviour)
        return .json(.object([(name, behaviour.json)]))
    }
}
