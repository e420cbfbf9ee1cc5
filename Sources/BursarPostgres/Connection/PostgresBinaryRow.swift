import CLibPQ

/// One row of a result in PostgreSQL's binary format, valid only inside the call that hands it
/// over (its bytes are libpq's): text as UTF-8 bytes, bytea as its bytes, BIGINT as eight
/// big-endian bytes.
public struct PostgresBinaryRow {
    let result: OpaquePointer
    let row: Int32

    /// The field's bytes (empty for NULL).
    public func bytes(_ column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(result, row, Int32(column)))
        return UnsafeRawBufferPointer(start: PQgetvalue(result, row, Int32(column)), count: length)
    }

    /// A BIGINT field that must not be NULL.
    public func integer(_ column: Int) throws(PostgresError) -> Int64 {
        let field = bytes(column)
        guard PQgetisnull(result, row, Int32(column)) == 0, field.count == 8 else {
            throw PostgresError(.value, "column \(column) is not a BIGINT (\(field.count) bytes)")
        }
        return Int64(bigEndian: field.loadUnaligned(as: Int64.self))
    }
}
