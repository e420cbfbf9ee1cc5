import BursarCore
import GRDB
import GRDBSQLite

/// SQL functions over stored latency histograms, registered through SQLite's C API so the
/// ingest upserts and GROUP BY queries merge blobs without Swift allocations per row.
enum LatencyFunctions {
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Registers `bursar_latency_merge(a, b)` and the aggregate `bursar_latency(blob)`.
    static func register(on db: Database) throws {
        guard let connection = db.sqliteConnection else { return }
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        var code = sqlite3_create_function_v2(connection, "bursar_latency_merge", 2, flags, nil, merge, nil, nil, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
        code = sqlite3_create_function_v2(connection, "bursar_latency", 1, flags, nil, nil, sumStep, sumFinal, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }

    static func bytes(_ value: DatabaseValue) -> [UInt8] {
        guard case .blob(let data) = value.storage else { return [] }
        return Array(data)
    }

    private static let merge: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let arguments else { return }
        var output: [UInt8] = []
        output.reserveCapacity(64)
        LatencyHistogram.mergeEncoded(blob(arguments[0]), blob(arguments[1]), into: &output)
        output.withUnsafeBytes { raw in
            sqlite3_result_blob(context, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), transient)
        }
    }

    private static let sumStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let arguments, let counters = sqlite3_aggregate_context(context, 256 * 8) else { return }
        LatencyHistogram.accumulate(blob(arguments[0]), into: counters.assumingMemoryBound(to: UInt64.self))
    }

    private static let sumFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        var output: [UInt8] = []
        if let counters = sqlite3_aggregate_context(context, 0) {
            LatencyHistogram.encode(counters: counters.assumingMemoryBound(to: UInt64.self), into: &output)
        }
        output.withUnsafeBytes { raw in
            sqlite3_result_blob(context, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), transient)
        }
    }

    private static func blob(_ value: OpaquePointer?) -> UnsafeRawBufferPointer {
        guard let pointer = sqlite3_value_blob(value) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_value_bytes(value)))
    }
}
