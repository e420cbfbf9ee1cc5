import BursarCore
import BursarStorage
import Foundation
import GRDBSQLite

/// Sums rollup rows into groups while stepping a raw SQLite statement.
///
/// SQLite's GROUP BY with a dozen SUMs costs over a microsecond a row; summing here costs a
/// fraction of that: a row's key columns are joined into one scratch buffer (0xFF, which
/// UTF-8 never contains, between them), found by a 64-bit digest in an index of plain
/// integers, confirmed with one memcmp against the group's stored key bytes, and its packed
/// counters are added into a flat array.
struct GroupAccumulator {
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
    let width: Int
    let bucketing: (Int64) -> Int64

    init(width: Int, bucketing: @escaping (Int64) -> Int64) {
        self.width = width
        self.bucketing = bucketing
    }

    /// The groups summed so far.
    var results: [(values: [String], bucket: Int64, metrics: RollupMetrics)] {
        get throws(CounterOverflow) { try (0..<buckets.count).map { group throws(CounterOverflow) in
            let key = keyArena[keyStart[group]..<keyStart[group] + keyLength[group]]
            let values = width == 0 ? [] : key.split(separator: 0xFF, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            var metrics = RollupMetrics()
            let base = group * RollupSums.count
            try metrics.add(requests: sums[base], inputTokens: sums[base + 1], cachedInputTokens: sums[base + 2],
                        outputTokens: sums[base + 3], reasoningTokens: sums[base + 4], cost: sums[base + 5],
                        baselineCost: sums[base + 6], reportedCost: sums[base + 7], unpricedRequests: sums[base + 8],
                        errors: sums[base + 9])
            metrics.latency = latencies[group]
            return (values, buckets[group], metrics)
        } }
    }

    /// Reads every row of `statement`: `width` text columns, bucket, packed sums, latency blob.
    /// A sum that would overflow throws `CounterOverflow` naming the counter.
    mutating func consume(_ statement: OpaquePointer) throws {
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw SQLiteFailure(code: code) }
            let bucket = bucketing(sqlite3_column_int64(statement, Int32(width)))
            let group = findOrAdd(statement, bucket: bucket)
            try add(statement, to: group)
        }
    }

    private mutating func findOrAdd(_ statement: OpaquePointer, bucket: Int64) -> Int {
        scratch.removeAll(keepingCapacity: true)
        for column in 0..<Int32(width) {
            if column > 0 { scratch.append(0xFF) }
            scratch.append(contentsOf: Self.text(statement, column))
        }
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

    private mutating func add(_ statement: OpaquePointer, to group: Int) throws(CounterOverflow) {
        let column = Int32(width + 1)
        if let blob = sqlite3_column_blob(statement, column), sqlite3_column_bytes(statement, column) >= Int32(RollupSums.byteCount) {
            let base = group * RollupSums.count
            for index in 0..<RollupSums.count {
                let value = Int64(littleEndian: blob.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                let (sum, overflow) = sums[base + index].addingReportingOverflow(value)
                if overflow { throw CounterOverflow(counter: RollupSums.counters[index]) }
                sums[base + index] = sum
            }
        }
        if let blob = sqlite3_column_blob(statement, column + 1) {
            latencies[group].add(encoded: UnsafeRawBufferPointer(start: blob, count: Int(sqlite3_column_bytes(statement, column + 1))))
        }
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let pointer = sqlite3_column_text(statement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// A SQLite result code from a statement stepped outside GRDB.
struct SQLiteFailure: Error, CustomStringConvertible {
    var code: Int32
    var description: String { "SQLite error \(code): \(String(cString: sqlite3_errstr(code)))" }
}
