import BursarCore

/// The ten counters of a rollup row, stored packed in one 80-byte blob (little-endian Int64s,
/// in `counters` order): one column to read per row instead of ten, and half the row size.
package enum RollupSums {
    package static let count = 10
    package static let byteCount = count * 8
    /// The counters as the API names them (what an overflow refusal names).
    package static let counters = [
        "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens",
        "cost", "baseline_cost", "cost_usd", "unpriced_requests", "errors",
    ]

    package static func values(_ metrics: RollupMetrics) -> [Int64] {
        [metrics.requests, metrics.inputTokens, metrics.cachedInputTokens, metrics.outputTokens, metrics.reasoningTokens,
         metrics.cost.nanos, metrics.baselineCost.nanos, metrics.reportedCost.nanos, metrics.unpricedRequests, metrics.errors]
    }

    package static func encode(_ metrics: RollupMetrics) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in values(metrics).enumerated() {
                raw.storeBytes(of: value.littleEndian, toByteOffset: index * 8, as: Int64.self)
            }
        }
        return bytes
    }

    /// Reads the counters of a stored blob (missing bytes read as zero).
    package static func decode(_ raw: UnsafeRawBufferPointer) -> [Int64] {
        (0..<count).map { index in
            index * 8 + 8 <= raw.count ? Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)) : 0
        }
    }

    /// A stored row's counters and latency histogram as metrics (the counters are checked).
    package static func metrics(sums: [Int64], latency: LatencyHistogram) throws(CounterOverflow) -> RollupMetrics {
        var metrics = RollupMetrics()
        try metrics.add(requests: sums[0], inputTokens: sums[1], cachedInputTokens: sums[2], outputTokens: sums[3],
                        reasoningTokens: sums[4], cost: sums[5], baselineCost: sums[6], reportedCost: sums[7],
                        unpricedRequests: sums[8], errors: sums[9])
        metrics.latency = latency
        return metrics
    }
}
