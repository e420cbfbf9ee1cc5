import BursarCore

/// A rollup table held against a recomputation from the raw events (`rollupDiscrepancies`).
package enum RollupComparison {
    /// What disagrees in `table`: rows whose counters differ from `expected`, stored rows with
    /// no raw events, and latency samples that do not add up to the raw events' count.
    package static func problems(_ table: String, expected: [RollupKey: [Int64]], stored: [RollupKey: [Int64]],
                                 samples: UInt64, latencySamples: Int64) -> [String] {
        var problems: [String] = []
        let differing = expected.filter { stored[$0.key] != $0.value }.count
        let unmatched = stored.keys.filter { expected[$0] == nil }.count
        if differing + unmatched > 0 {
            problems.append("\(table): \(differing) rows differ from the raw events, \(unmatched) rows have no match")
        }
        if samples != UInt64(latencySamples) {
            problems.append("\(table): \(samples) latency samples, the raw events have \(latencySamples)")
        }
        return problems
    }
}
