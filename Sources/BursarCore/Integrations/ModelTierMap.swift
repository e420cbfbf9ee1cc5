/// Which tier a model belongs to, from the active policy's tier chains, for events that
/// arrive without a tier (LiteLLM logs, OpenTelemetry spans).
public struct ModelTierMap: Sendable {
    /// Events whose model no tier lists get this tier.
    public static let unassigned = "unassigned"

    private let byKey: [ModelKey: String]
    private let byModel: [String: String]

    public init(policy: Policy?) {
        var byKey: [ModelKey: String] = [:]
        var byModel: [String: String] = [:]
        for tier in policy?.tiers ?? [] {
            for model in tier.models {
                if byKey[model] == nil { byKey[model] = tier.name }
                if byModel[model.model] == nil { byModel[model.model] = tier.name }
            }
        }
        self.byKey = byKey
        self.byModel = byModel
    }

    /// The tier of `model` at `provider`; the model's name alone when the provider differs
    /// (a gateway's name for it); nil when no tier lists it.
    public func tier(provider: String, model: String) -> String? {
        byKey[ModelKey(provider: provider, model: model)] ?? byModel[model]
    }
}
