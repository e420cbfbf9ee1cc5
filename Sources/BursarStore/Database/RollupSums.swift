import BursarCore

/// The ten counters of a rollup row, stored packed in one 80-byte blob (little-endian Int64s,
/// in `names` order): one column to read per row instead of ten, and half the row size.
enum RollupSums {
    static let count = 10
    static let byteCount = count * 8
    static let names = [
        "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens",
        "cost_nanos", "baseline_nanos", "reported_nanos", "unpriced", "errors",
    ]

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
