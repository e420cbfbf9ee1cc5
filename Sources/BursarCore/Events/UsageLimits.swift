/// What one event and one price may carry: bounds set well above what a real model call can
/// produce, so that no single input can come near a 64-bit sum.
///
/// With these bounds one event costs at most (10⁸ input + 10⁸ output tokens) × $10,000 per 1M
/// tokens = $2,000,000 (2×10¹⁵ nano-USD), so a stored counter can overflow only by the sum of
/// many events; that sum is checked where it is made (`CounterOverflow`).
public enum UsageLimits {
    /// Tokens in one count field of one event (input, cached, output, reasoning, context):
    /// ten times the largest context window offered today.
    public static let maximumTokens: Int64 = 100_000_000
    /// A reported cost (`cost_usd`) of one event, in USD.
    public static let maximumReportedCostUSD: Int64 = 100_000
    /// A catalog price, in USD per 1M tokens (the dearest model today is under $1,000).
    public static let maximumPricePerMillionUSD: Int64 = 10_000
    /// Latency and time to first token, in milliseconds (one day).
    public static let maximumMillis: Int64 = 86_400_000
}
