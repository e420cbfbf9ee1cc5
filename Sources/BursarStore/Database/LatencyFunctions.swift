import BursarCore
import GRDB
import GRDBSQLite

/// SQL functions over stored latency histograms and packed counters, registered through SQLite's C API so the
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
        code = sqlite3_create_function_v2(connection, "bursar_sums_add", 2, flags, nil, sumsAdd, nil, nil, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }

    /// `bursar_sums_add(a, b)`: two packed rollup counter blobs added element by element;
    /// an overflow is an error (the transaction fails rather than store a wrong sum).
    private static let sumsAdd: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let arguments else { return }
        let a = RollupSums.decode(blob(arguments[0]))
        let b = RollupSums.decode(blob(arguments[1]))
        var output = [UInt8](repeating: 0, count: RollupSums.byteCount)
        for index in 0..<RollupSums.count {
            let (sum, overflow) = a[index].addingReportingOverflow(b[index])
            if overflow {
                sqlite3_result_error(context, "rollup counter overflow", -1)
                return
            }
            output.withUnsafeMutableBytes { $0.storeBytes(of: sum.littleEndian, toByteOffset: index * 8, as: Int64.self) }
        }
        output.withUnsafeBytes { raw in
            sqlite3_result_blob(context, raw.baseAddress, Int32(raw.count), transient)
        }
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
