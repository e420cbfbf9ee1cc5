import BursarCore
import BursarStorage

/// How replicas keep every rollup row's shards summing within 64 bits without locking rows
/// in the common case.
///
/// Each replica writes its own shard of a row, so two replicas checking "does the sum of all
/// shards still fit?" at once each see the other's old value, and both may commit past
/// `Int64.max`. The rule that makes that impossible:
/// - a shard value up to `unguarded` (2^56: $72M, or 7.2e16 tokens) is written freely;
/// - a shard value past it is written only under the row's lock (a transaction advisory
///   lock), after reading every other shard, and only if it fits with each other writable
///   shard counted at no less than `unguarded` (what a free writer may yet bring it to).
///
/// So the sum of `max(shard, unguarded)` over the writable shards never passes `Int64.max`:
/// a free write leaves its term at `unguarded`, a locked write checks it. The price: one
/// replica's row holds `Int64.max − 63 × 2^56` (about $4.68B) instead of `Int64.max`.
enum ShardHeadroom {
    /// Shards replicas may write (`PostgresDatabase.maximumShards`).
    static let writableShards = PostgresDatabase.maximumShards
    /// A shard value written without the row's lock, at most.
    static let unguarded: Int64 = 1 << 56
    /// What one shard's row may hold when every other shard is empty.
    static let ceiling = Int64.max - Int64(writableShards - 1) * unguarded

    /// Whether `metrics`, a shard's new value, may be written only under the row's lock.
    static func needsLock(_ metrics: RollupMetrics) -> Bool {
        RollupSums.values(metrics).contains { $0 > unguarded }
    }

    /// Checks that `own`, the new value of `shard`, fits beside the other shards' stored
    /// counters (`others`, by shard), each writable one counted at `unguarded` at least.
    static func check(own: RollupMetrics, shard: Int32, others: [Int32: [Int64]]) throws(CounterOverflow) {
        for (index, value) in RollupSums.values(own).enumerated() {
            var total = value
            for other in 0..<writableShards where other != shard {
                total = try total.adding(max(others[other]?[index] ?? 0, unguarded), counter: RollupSums.counters[index])
            }
            for (other, sums) in others where other >= writableShards {
                total = try total.adding(sums[index], counter: RollupSums.counters[index])
            }
        }
    }

    /// The advisory-lock key of a row of `table`: FNV-1a over its name, bucket and values.
    static func lockKey(table: String, key: RollupKey) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
        }
        mix(table.utf8)
        withUnsafeBytes(of: key.bucket.littleEndian) { mix($0) }
        for value in key.values { mix(value.utf8) }
        return Int64(bitPattern: hash)
    }
}
