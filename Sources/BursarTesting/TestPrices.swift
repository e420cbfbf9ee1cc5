import BursarCore

/// A small price table whose numbers tests can reason about.
public enum TestPrices {
    public static let baseline = ModelKey(provider: "openai", model: "gpt-4o")

    public static let catalog: [ModelPrice] = [
        price("openai", "gpt-4o", input: "2.50", cached: "1.25", output: "10.00"),
        price("openai", "gpt-4o-mini", input: "0.15", cached: "0.075", output: "0.60"),
        price("groq", "llama-3.1-8b-instant", input: "0.05", output: "0.08"),
        price("anthropic", "claude-3-5-haiku-20241022", input: "0.80", cached: "0.08", output: "4.00"),
        // Reasoning priced apart from output, so that a cost charging it as output is wrong.
        price("openai", "o3", input: "2.00", cached: "0.50", output: "8.00", reasoning: "9.50"),
        // Fractions of a nano-dollar per token (1.5, 0.5, 2.5 and 3.5 nano): every event rounds.
        price("groq", "tiny-frac", input: "0.0015", cached: "0.0005", output: "0.0025", reasoning: "0.0035"),
        // A price change: from 2026-06-01 the mini model costs double.
        price("openai", "gpt-4o-mini", input: "0.30", cached: "0.15", output: "1.20", from: 1_780_272_000_000),
    ]

    public static func price(_ provider: String, _ model: String, input: String, cached: String? = nil, output: String,
                             reasoning: String? = nil, from: Int64 = 0) -> ModelPrice {
        ModelPrice(provider: provider, model: model, effectiveFrom: from,
                   inputPerMillion: Money(decimal: input)!, cachedInputPerMillion: cached.flatMap { Money(decimal: $0) },
                   outputPerMillion: Money(decimal: output)!, reasoningPerMillion: reasoning.flatMap { Money(decimal: $0) })
    }
}
