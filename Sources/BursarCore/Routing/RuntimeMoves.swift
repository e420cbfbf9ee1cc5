/// What a router does after an attempt, under the policy: fall back along the tier's chain,
/// escalate up the ladder, retry, or stop.
public enum RuntimeMove: Sendable, Equatable {
    /// Try the next model of the same tier (provider outage, latency guardrail).
    case fallback(modelIndex: Int)
    /// Move up the ladder (low confidence, invalid output).
    case escalate(tier: String)
    /// Try the same model again (invalid output with `on_invalid_output: retry`).
    case retry
    /// Nothing more to try.
    case stop
}

extension PolicyEngine {
    /// A confidence inside the escalation band moves one step up the ladder while steps
    /// remain; a locked request, a tier off the ladder or the top tier stay.
    public func escalation(from tier: String, confidence: Double, stepsTaken: Int, locked: Bool) -> String? {
        guard !locked, stepsTaken < policy.escalation.maxSteps, let band = policy.escalation.confidenceBand,
              band.contains(confidence) else { return nil }
        return self.tier(above: tier)
    }

    /// Invalid output (malformed JSON, failed validation): the policy's `on_invalid_output`.
    public func moveForInvalidOutput(tier: String, modelIndex: Int, stepsTaken: Int, retried: Bool, locked: Bool) -> RuntimeMove {
        switch policy.escalation.onInvalidOutput {
        case .none:
            return .stop
        case .retry:
            return retried ? fallback(tier: tier, after: modelIndex) : .retry
        case .nextTier:
            if !locked, stepsTaken < policy.escalation.maxSteps, let next = self.tier(above: tier) { return .escalate(tier: next) }
            return policy.fallback.on.contains("invalid_output") ? fallback(tier: tier, after: modelIndex) : .stop
        }
    }

    /// An attempt slower than the tier's SLO, with the latency guardrail on: the next model.
    public func moveForLatency(_ millis: Int64, tier: String, modelIndex: Int) -> RuntimeMove {
        guard policy.fallback.latencyGuardrail, let slo = self.tier(named: tier)?.latencySLOMillis, millis > slo else { return .stop }
        return fallback(tier: tier, after: modelIndex)
    }

    /// A failed attempt (`timeout`, `rate_limited`, `server_error`, `invalid_output`): the
    /// next model of the tier when the policy falls back on that outcome.
    public func moveForFailure(_ outcome: String, tier: String, modelIndex: Int) -> RuntimeMove {
        guard policy.fallback.on.contains(outcome) else { return .stop }
        return fallback(tier: tier, after: modelIndex)
    }

    private func fallback(tier: String, after modelIndex: Int) -> RuntimeMove {
        guard let models = self.tier(named: tier)?.models, modelIndex + 1 < models.count else { return .stop }
        return .fallback(modelIndex: modelIndex + 1)
    }

    /// The decision with open circuits avoided: the policy's `when_open` promotes to the next
    /// tier up (or demotes down) whose circuit lets requests through, or fails the request.
    /// A locked decision never leaves its tier.
    public func avoidingOpenCircuits(_ decision: RoutingDecision, isOpen: (String) -> Bool) -> RoutingDecision {
        guard !decision.blocked, isOpen(decision.tier) else { return decision }
        var result = decision
        var candidate: String? = nil
        if !decision.locked {
            switch policy.circuitBreaker.whenOpen {
            case .promote: candidate = tier(above: decision.tier)
            case .demote: candidate = tier(below: decision.tier)
            case .fail: candidate = nil
            }
            while let name = candidate, isOpen(name) {
                candidate = policy.circuitBreaker.whenOpen == .promote ? tier(above: name) : tier(below: name)
            }
        }
        result.openCircuit = decision.tier
        guard let chosen = candidate, let models = tier(named: chosen)?.models else {
            result.blocked = true
            return result
        }
        result.tier = chosen
        result.models = models
        return result
    }

    /// The shadow model to also call for this request, if its tier has one and the request
    /// falls in the sample (a blocked request calls nothing). The same request id always gets
    /// the same answer.
    public func shadow(for decision: RoutingDecision, requestID: String) -> ModelKey? {
        guard !decision.blocked else { return nil }
        for shadow in policy.shadows where shadow.tier == decision.tier {
            if ShadowSampler.fraction(requestID: requestID, model: shadow.model) < shadow.sample { return shadow.model }
        }
        return nil
    }
}

/// Deterministic sampling: a request id maps to a fraction in [0, 1) by FNV-1a, so every
/// router instance (and every replay) samples the same requests.
public enum ShadowSampler {
    public static func fraction(requestID: String, model: ModelKey) -> Double {
        Double(hash53(requestID: requestID, model: model)) / Double(UInt64(1) << 53)
    }

    /// The 53 bits the fraction is made of.
    public static func hash53(requestID: String, model: ModelKey) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        mix(requestID.utf8)
        mix([0])
        mix(model.provider.utf8)
        mix([0])
        mix(model.model.utf8)
        // Final avalanche (from SplitMix64) so that nearby ids spread evenly.
        return SeededRandom.mix(hash) >> 11
    }
}
