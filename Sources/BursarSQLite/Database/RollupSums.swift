import BursarCore
import BursarStorage
import GRDB

/// The ten counters of a rollup row, stored packed in one 80-byte blob (little-endian Int64s,
/// in `counters` order): one column to read per row instead of ten, and half the row size.
enum RollupSums {
    static let count = 10
    static let byteCount = count * 8
    /// The counters as the API names them (what an overflow refusal names).
    static let counters = [
        "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens",
        "cost", "baseline_cost", "cost_usd", "unpriced_requests", "errors",
    ]
    /// How an overflow in the SQL merge function starts its message; the counter follows.
    static let overflowMessage = "bursar counter overflow: "

    /// The counter named by an error of the SQL merge function, if it is one.
    static func overflow(in error: any Error) -> CounterOverflow? {
        if let overflow = error as? CounterOverflow { return overflow }
        guard let error = error as? DatabaseError, let message = error.message, message.hasPrefix(overflowMessage) else { return nil }
        return CounterOverflow(counter: String(message.dropFirst(overflowMessage.count)))
    }

    static func values(_ metrics: RollupMetrics) -> [Int64] {
        [metrics.requests, metrics.inputTokens, metrics.cachedInputTokens, metrics.outputTokens, metrics.reasoningTokens,
         metrics.cost.nanos, metrics.baselineCost.nanos, metrics.reportedCost.nanos, metrics.unpricedRequests, metrics.errors]
    }

    static func encode(_ metrics: RollupMetrics) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in values(metrics).enumerated() {
                raw.storeBytes(of: value.littleEndian, toByteOffset: index * 8, as: Int64.self)
            }
        }
        return bytes
    }

    /// Reads the counters of a stored blob (missing bytes read as zero).
    static func decode(_ raw: UnsafeRawBufferPointer) -> [Int64] {
        (0..<count).map { index in
            index * 8 + 8 <= raw.count ? Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)) : 0
        }
    }
}
