import BursarCore
import Foundation
import GRDBSQLite

/// Sums rollup rows into groups while stepping a raw SQLite statement.
///
/// SQLite's GROUP BY with a dozen SUMs costs over a microsecond a row; summing here, with
/// groups found by a digest of the column bytes (no String made for a group already seen),
/// costs a fraction of that.
struct GroupAccumulator {
    struct Group {
        /// The dimension values as stored bytes, compared with each row's without making Strings.
        var bytes: [[UInt8]]
        var bucket: Int64
        var metrics = RollupMetrics()
    }

    private var groups: [Group] = []
    private var index: [UInt64: [Int]] = [:]
    let width: Int
    let bucketing: (Int64) -> Int64

    init(width: Int, bucketing: @escaping (Int64) -> Int64) {
        self.width = width
        self.bucketing = bucketing
    }

    /// The groups summed so far.
    var results: [(values: [String], bucket: Int64, metrics: RollupMetrics)] {
        groups.map { group in
            (group.bytes.map { String(decoding: $0, as: UTF8.self) }, group.bucket, group.metrics)
        }
    }

    /// Reads every row of `statement`: `width` text columns, bucket, packed sums, latency blob.
    mutating func consume(_ statement: OpaquePointer) throws {
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw SQLiteFailure(code: code) }
            let bucket = bucketing(sqlite3_column_int64(statement, Int32(width)))
            let group = findOrAdd(statement, bucket: bucket)
            add(statement, to: group)
        }
    }

    private mutating func findOrAdd(_ statement: OpaquePointer, bucket: Int64) -> Int {
        var digest: UInt64 = 14_695_981_039_346_656_037 ^ UInt64(bitPattern: bucket)
        for column in 0..<Int32(width) {
            let bytes = Self.text(statement, column)
            for byte in bytes { digest = (digest ^ UInt64(byte)) &* 1_099_511_628_211 }
            digest = (digest ^ 0xFF) &* 1_099_511_628_211
        }
        if let candidates = index[digest] {
            for candidate in candidates where groups[candidate].bucket == bucket && matches(groups[candidate].bytes, statement) {
                return candidate
            }
        }
        groups.append(Group(bytes: (0..<Int32(width)).map { Array(Self.text(statement, $0)) }, bucket: bucket))
        index[digest, default: []].append(groups.count - 1)
        return groups.count - 1
    }

    private func matches(_ values: [[UInt8]], _ statement: OpaquePointer) -> Bool {
        for column in 0..<width {
            let text = Self.text(statement, Int32(column))
            let same = values[column].withUnsafeBufferPointer { stored in
                stored.count == text.count && (text.count == 0 || memcmp(stored.baseAddress!, text.baseAddress!, text.count) == 0)
            }
            if !same { return false }
        }
        return true
    }

    private mutating func add(_ statement: OpaquePointer, to group: Int) {
        let sums = Int32(width + 1)
        if let blob = sqlite3_column_blob(statement, sums) {
            let bytes = UnsafeRawBufferPointer(start: blob, count: Int(sqlite3_column_bytes(statement, sums)))
            if bytes.count >= RollupSums.byteCount {
                func value(_ index: Int) -> Int64 { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)) }
                groups[group].metrics.add(
                    requests: value(0), inputTokens: value(1), cachedInputTokens: value(2), outputTokens: value(3),
                    reasoningTokens: value(4), cost: value(5), baselineCost: value(6), reportedCost: value(7),
                    unpricedRequests: value(8), errors: value(9))
            }
        }
        if let blob = sqlite3_column_blob(statement, sums + 1) {
            let bytes = UnsafeRawBufferPointer(start: blob, count: Int(sqlite3_column_bytes(statement, sums + 1)))
            groups[group].metrics.latency.add(encoded: bytes)
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
