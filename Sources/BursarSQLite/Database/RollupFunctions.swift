import BursarCore
import BursarStorage
import GRDB
import GRDBSQLite

/// SQL functions over stored latency histograms and packed counters, registered through
/// SQLite's C API so that rollup upserts merge blobs with no Swift bridging per row.
enum RollupFunctions {
    /// Registers `bursar_latency_merge(a, b)` and `bursar_sums_add(a, b)`, used by rollup upserts.
    static func register(on db: Database) throws {
        guard let connection = db.sqliteConnection else { return }
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        var code = sqlite3_create_function_v2(connection, "bursar_latency_merge", 2, flags, nil, merge, nil, nil, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
        code = sqlite3_create_function_v2(connection, "bursar_sums_add", 2, flags, nil, sumsAdd, nil, nil, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }

    /// `bursar_sums_add(a, b)`: two packed rollup counter blobs added element by element;
    /// an overflow is an error naming the counter (the job is refused rather than store a wrong sum).
    private static let sumsAdd: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let arguments else { return }
        let a = blob(arguments[0])
        let b = blob(arguments[1])
        withUnsafeTemporaryAllocation(byteCount: RollupSums.byteCount, alignment: 8) { output in
            for index in 0..<RollupSums.count {
                let offset = index * 8
                let x = offset + 8 <= a.count ? Int64(littleEndian: a.loadUnaligned(fromByteOffset: offset, as: Int64.self)) : 0
                let y = offset + 8 <= b.count ? Int64(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: Int64.self)) : 0
                let (sum, overflow) = x.addingReportingOverflow(y)
                if overflow {
                    sqlite3_result_error(context, RollupSums.overflowMessage + RollupSums.counters[index], -1)
                    return
                }
                output.storeBytes(of: sum.littleEndian, toByteOffset: offset, as: Int64.self)
            }
            sqlite3_result_blob(context, output.baseAddress, Int32(RollupSums.byteCount), SQLiteStatement.transient)
        }
    }

    static func bytes(_ value: DatabaseValue) -> [UInt8] {
        guard case .blob(let data) = value.storage else { return [] }
        return Array(data)
    }

    private static let merge: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let arguments else { return }
        let a = blob(arguments[0])
        let b = blob(arguments[1])
        if a.isEmpty || b.isEmpty {
            let only = a.isEmpty ? b : a
            sqlite3_result_blob(context, only.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(only.count), SQLiteStatement.transient)
            return
        }
        var output: [UInt8] = []
        output.reserveCapacity(a.count + b.count)
        LatencyHistogram.mergeEncoded(a, b, into: &output)
        output.withUnsafeBytes { raw in
            sqlite3_result_blob(context, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), SQLiteStatement.transient)
        }
    }

    private static func blob(_ value: OpaquePointer?) -> UnsafeRawBufferPointer {
        guard let pointer = sqlite3_value_blob(value) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_value_bytes(value)))
    }
}
