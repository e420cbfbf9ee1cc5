import Locking
import BursarCore
import Foundation

/// Stand-ins for LLM providers: each answers after a latency, fails at a rate, sometimes
/// returns garbage (invalid output), and reports a confidence in its answer.
public final class FakeProviders: Sendable {
    public struct Behaviour: Sendable, Equatable {
        var latencyMillis: Int64
        var errorRate: Double
        var garbageRate: Double

        public init(latencyMillis: Int64, errorRate: Double, garbageRate: Double) {
            self.latencyMillis = latencyMillis
            self.errorRate = errorRate
            self.garbageRate = garbageRate
        }

        static let normal = Behaviour(latencyMillis: 40, errorRate: 0, garbageRate: 0)

        var json: JSONValue {
            .object([("latency_ms", .integer(latencyMillis)), ("error_rate", .number(errorRate)), ("garbage_rate", .number(garbageRate))])
        }

        /// `groq:latency=120,error=0.2,garbage=0.05`
        public static func parse(_ text: String) -> (String, Behaviour)? {
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            var behaviour = Behaviour.normal
            guard behaviour.apply(String(parts[1])) else { return nil }
            return (String(parts[0]), behaviour)
        }

        /// Applies `latency=…,error=…,garbage=…`; false when any part is not understood.
        mutating func apply(_ settings: String) -> Bool {
            for setting in settings.split(separator: ",") {
                let pair = setting.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { return false }
                switch pair[0] {
                case "latency": guard let value = Int64(pair[1]), value >= 0 else { return false }; latencyMillis = value
                case "error": guard let value = Double(pair[1]), (0...1).contains(value) else { return false }; errorRate = value
                case "garbage": guard let value = Double(pair[1]), (0...1).contains(value) else { return false }; garbageRate = value
                default: return false
                }
            }
            return true
        }
    }

    enum Outcome: Sendable, Equatable {
        case answer(text: String, confidence: Double)
        case failed(String)
        case garbage
    }

    private let behaviours: Locked<[String: Behaviour]>

    public init(_ behaviours: [String: Behaviour]) {
        self.behaviours = Locked(behaviours)
    }

    func behaviour(of provider: String) -> Behaviour {
        behaviours.withLock { $0[provider] ?? .normal }
    }

    func set(_ provider: String, _ behaviour: Behaviour) {
        behaviours.withLock { $0[provider] = behaviour }
    }

    var all: [String: Behaviour] { behaviours.withLock { $0 } }

    /// Calls `model` and waits for its answer; gives up at `deadlineMillis` (a timeout).
    func call(_ model: ModelKey, prompt: String, difficulty: Double, deadlineMillis: Int64?) -> (Outcome, Int64) {
        let behaviour = behaviour(of: model.provider)
        var latency = Int64(Double(behaviour.latencyMillis) * Double.random(in: 0.6...1.4))
        var outcome: Outcome
        if Double.random(in: 0..<1) < behaviour.errorRate {
            outcome = .failed("server_error")
        } else if Double.random(in: 0..<1) < behaviour.garbageRate {
            outcome = .garbage
        } else {
            // Bigger models are surer of hard questions.
            let strength = model.model.contains("8b") || model.model.contains("mini") ? 0.35 : model.model.contains("haiku") ? 0.6 : 0.9
            let confidence = min(1, max(0, 1 - difficulty + strength - 0.35 + Double.random(in: -0.1...0.1)))
            outcome = .answer(text: "(\(model.provider)/\(model.model)) An answer to: \(prompt.prefix(60))", confidence: confidence)
        }
        if let deadlineMillis, latency > deadlineMillis {
            latency = deadlineMillis
            outcome = .failed("timeout")
        }
        Thread.sleep(forTimeInterval: Double(latency) / 1000)
        return (outcome, latency)
    }
}
