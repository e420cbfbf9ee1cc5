import BursarCore
import Foundation

/// Sums stored rollup rows into groups, as a backend reads them.
///
/// SQLite's GROUP BY with a dozen SUMs costs over a microsecond a row; summing here costs a
/// fraction of that: a row's key columns are joined into one scratch buffer (0xFF, which
/// UTF-8 never contains, between them), found by a 64-bit digest in an index of plain
/// integers, confirmed with one memcmp against the group's stored key bytes, and its packed
/// counters are added into a flat array.
package struct GroupAccumulator {
    private var keyArena: [UInt8] = []
    private var keyStart: [Int] = []
    private var keyLength: [Int] = []
    private var buckets: [Int64] = []
    private var sums: [Int64] = []
    private var latencies: [LatencyHistogram] = []
    /// Digest → the first group with it; `chain` links groups that share a digest.
    private var index: [UInt64: Int32] = [:]
    private var chain: [Int32] = []
    private var scratch: [UInt8] = []
    package let width: Int
    package let bucketing: (Int64) -> Int64
    /// An overflowing sum stays at the largest value instead of throwing.
    package var saturating = false

    package init(width: Int, bucketing: @escaping (Int64) -> Int64) {
        self.width = width
        self.bucketing = bucketing
    }

    /// The groups summed so far.
    package var results: [(values: [String], bucket: Int64, metrics: RollupMetrics)] {
        get throws(CounterOverflow) { try (0..<buckets.count).map { group throws(CounterOverflow) in
            let key = keyArena[keyStart[group]..<keyStart[group] + keyLength[group]]
            let values = width == 0 ? [] : key.split(separator: 0xFF, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            let base = group * RollupSums.count
            let metrics = try RollupSums.metrics(sums: Array(sums[base..<base + RollupSums.count]), latency: latencies[group])
            return (values, buckets[group], metrics)
        } }
    }

    /// Adds one stored row: `key(column)` gives the UTF-8 bytes of each of the `width` key
    /// columns; `sums` is the packed counters, `latency` the encoded histogram. A sum that
    /// would overflow throws `CounterOverflow` naming the counter.
    package mutating func add(bucket stored: Int64, key: (Int) -> UnsafeBufferPointer<UInt8>,
                              sums: UnsafeRawBufferPointer, latency: UnsafeRawBufferPointer) throws(CounterOverflow) {
        let bucket = bucketing(stored)
        scratch.removeAll(keepingCapacity: true)
        for column in 0..<width {
            if column > 0 { scratch.append(0xFF) }
            scratch.append(contentsOf: key(column))
        }
        let group = findOrAdd(bucket: bucket)
        if sums.count >= RollupSums.byteCount {
            let base = group * RollupSums.count
            for index in 0..<RollupSums.count {
                let value = Int64(littleEndian: sums.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                let (sum, overflow) = self.sums[base + index].addingReportingOverflow(value)
                if overflow, !saturating { throw CounterOverflow(counter: RollupSums.counters[index]) }
                self.sums[base + index] = overflow ? (value > 0 ? .max : .min) : sum
            }
        }
        if !latency.isEmpty { latencies[group].add(encoded: latency) }
    }

    /// Adds one stored row read as values (for backends that hand rows over as such).
    package mutating func add(bucket: Int64, key: [String], sums: [UInt8], latency: [UInt8]) throws {
        var joined: [UInt8] = []
        var ranges: [Range<Int>] = []
        for value in key {
            let start = joined.count
            joined.append(contentsOf: value.utf8)
            ranges.append(start..<joined.count)
        }
        try joined.withUnsafeBufferPointer { all in
            try sums.withUnsafeBytes { sums in
                try latency.withUnsafeBytes { latency in
                    try add(bucket: bucket, key: { UnsafeBufferPointer(rebasing: all[ranges[$0]]) }, sums: sums, latency: latency)
                }
            }
        }
    }

    private mutating func findOrAdd(bucket: Int64) -> Int {
        var digest: UInt64 = 14_695_981_039_346_656_037 ^ UInt64(bitPattern: bucket)
        for byte in scratch { digest = (digest ^ UInt64(byte)) &* 1_099_511_628_211 }
        var candidate = index[digest] ?? -1
        while candidate >= 0 {
            let group = Int(candidate)
            if buckets[group] == bucket, keyLength[group] == scratch.count, sameKey(group) { return group }
            candidate = chain[group]
        }
        let group = buckets.count
        keyStart.append(keyArena.count)
        keyLength.append(scratch.count)
        keyArena.append(contentsOf: scratch)
        buckets.append(bucket)
        sums.append(contentsOf: repeatElement(0, count: RollupSums.count))
        latencies.append(LatencyHistogram())
        chain.append(index[digest] ?? -1)
        index[digest] = Int32(group)
        return group
    }

    private func sameKey(_ group: Int) -> Bool {
        guard !scratch.isEmpty else { return true }
        return keyArena.withUnsafeBufferPointer { arena in
            scratch.withUnsafeBufferPointer { key in
                memcmp(arena.baseAddress! + keyStart[group], key.baseAddress!, key.count) == 0
            }
        }
    }
}
