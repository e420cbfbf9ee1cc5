/// Policy text for tests.
public enum TestPolicies {
    /// The head of a two-tier policy (fast, frontier) named `name`, ready for `rules:`.
    public static func twoTiers(name: String) -> String {
        """
        name: \(name)
        baseline_tier: frontier
        default_tier: fast
        tiers:
          fast:
            models: [{provider: groq, model: llama-3.1-8b-instant}]
          frontier:
            models: [{provider: openai, model: gpt-4o}]

        """
    }
}
