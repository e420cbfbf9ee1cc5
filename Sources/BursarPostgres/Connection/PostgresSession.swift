import BursarStorage

/// One PostgreSQL transaction as the stores written once see it: `?` parameters numbered
/// (`$1`...), rows read by their columns' types, advisory locks, and announcements to the
/// other replicas sent with the commit.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let replicas: PostgresChangeFeed

    init(_ connection: PostgresConnection, replicas: PostgresChangeFeed) {
        self.connection = connection
        self.replicas = replicas
    }

    var dialect: SQLDialect { .postgres }

    func run(_ sql: String, _ values: [SQLValue]) throws -> SQLResult {
        let result = try connection.execute(Self.numbered(sql), values.map(Self.parameter))
        let rows = try result.map { row in
            SQLRow(columns: result.columns, values: try result.types.indices.map { column in
                try Self.value(row, column, type: result.types[column])
            })
        }
        return SQLResult(rows: rows, changed: result.changed)
    }

    func lock(_ target: String) throws {
        try connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(target)])
    }

    func announceToOthers(_ change: StoreChange) throws {
        try replicas.announce(change, on: connection)
    }

    /// `sql` with each `?` outside quotes made `$1`, `$2`... in order. The stores' SQL has no
    /// comments, dollar quoting or `E''` strings, which this does not read.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var quote: Character?
        var count = 0
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                out.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                out.append(character)
            } else if character == "?" {
                count += 1
                out += "$\(count)"
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func parameter(_ value: SQLValue) -> PostgresValue {
        switch value {
        case .null: .null
        case .integer(let integer): .integer(integer)
        case .real(let real): .real(real)
        case .text(let text): .text(text)
        case .bytes(let bytes): .bytes(bytes)
        }
    }

    /// Type oids read as the shared value types (`pg_type.oid`).
    enum TypeOID {
        static let boolean: UInt32 = 16
        static let bytea: UInt32 = 17
        static let integers: Set<UInt32> = [20, 21, 23, 26]
        static let reals: Set<UInt32> = [700, 701]
        /// What `SUM` of integers returns: an integer when it holds one.
        static let numeric: UInt32 = 1700
    }

    static func value(_ row: PostgresRows.Row, _ column: Int, type: UInt32) throws -> SQLValue {
        guard !row.isNull(column) else { return .null }
        switch type {
        case TypeOID.boolean: return .integer(try row.bool(column) == true ? 1 : 0)
        case TypeOID.bytea: return .bytes(try row.bytes(column) ?? [])
        case _ where TypeOID.integers.contains(type): return .integer(try row.integer(column))
        case _ where TypeOID.reals.contains(type): return .real(try row.double(column) ?? 0)
        case TypeOID.numeric:
            let text = try row.text(column)
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        default: return .text(try row.text(column))
        }
    }
}
