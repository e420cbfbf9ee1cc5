import BursarPostgres
import BursarTesting
import Foundation
import Testing

/// The libpq connection against a real PostgreSQL (a throwaway cluster the tests start).
@Suite struct PostgresConnectionTests {
    static func connect() throws -> PostgresConnection {
        try PostgresConnection(url: try PostgresCluster.started().createDatabase())
    }

    @Test func valuesGoAsParametersAndComeBackExactly() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE t (s TEXT, i BIGINT, r DOUBLE PRECISION, b BOOLEAN, y BYTEA)")
        let hostile = "'); DROP TABLE t; -- é 😀 \\ \t \n"
        try connection.execute("INSERT INTO t VALUES ($1, $2, $3, $4, $5)",
                               [.text(hostile), .integer(.max), .real(0.1), .boolean(true), .bytes([0, 1, 0xFE, 0xFF])])
        try connection.execute("INSERT INTO t VALUES ($1, $2, $3, $4, $5)", [.null, .integer(.min), .real(-1e300), .boolean(false), .null])
        let rows = try connection.execute("SELECT s, i, r, b, y FROM t ORDER BY i DESC")
        #expect(rows.columns == ["s", "i", "r", "b", "y"])
        #expect(rows.count == 2)
        #expect(rows[0].string(0) == hostile)
        #expect(try rows[0].int64(1) == .max)
        #expect(try rows[0].double(2) == 0.1)
        #expect(try rows[0].bool(3) == true)
        #expect(try rows[0].bytes(4) == [0, 1, 0xFE, 0xFF])
        #expect(rows[1].isNull(0) && rows[1].isNull(4))
        #expect(try rows[1].int64(1) == .min)
        #expect(try rows[1].double(2) == -1e300)
        #expect(try connection.execute("SELECT count(*) FROM t").first?.int64(0) == 2, "the hostile text stayed a value")
    }

    @Test func textWithANulByteIsRefusedBeforeItIsSent() throws {
        let connection = try Self.connect()
        let error = #expect(throws: PostgresError.self) { try connection.execute("SELECT $1::text", [.text("a\u{0}b")]) }
        #expect(error?.kind == .value)
        #expect(try connection.execute("SELECT 1").first?.int64(0) == 1, "the connection is still usable")
    }

    @Test func aRefusedStatementCarriesItsSQLState() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE k (id TEXT PRIMARY KEY)")
        try connection.execute("INSERT INTO k VALUES ($1)", ["a"])
        let duplicate = #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO k VALUES ($1)", ["a"]) }
        #expect(duplicate?.isUniqueViolation == true)
        #expect(duplicate?.kind == .statement)
        let syntax = #expect(throws: PostgresError.self) { try connection.execute("SELEC 1") }
        #expect(syntax?.sqlState == "42601" && syntax?.message.contains("syntax error") == true, "\(String(describing: syntax))")
    }

    @Test func aTransactionThatThrowsLeavesNothing() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE k (id TEXT PRIMARY KEY)")
        #expect(throws: PostgresError.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO k VALUES ($1)", ["kept?"])
                try connection.execute("INSERT INTO k VALUES ($1)", ["kept?"])
            }
        }
        #expect(try connection.execute("SELECT count(*) FROM k").first?.int64(0) == 0)
        try connection.transaction { _ = try connection.execute("INSERT INTO k VALUES ($1)", ["kept"]) }
        #expect(try connection.execute("SELECT id FROM k").map { $0.string(0) } == ["kept"])
    }

    @Test func copyCarriesEveryCharacterAndNull() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE c (s TEXT, i BIGINT)")
        let texts = ["plain", "tab\there", "line\nbreak", "back\\slash", "cr\rhere", "\\N", ""]
        let copied = try connection.copy(into: "c", columns: ["s", "i"],
                                         rows: texts.enumerated().map { [.text($1), .integer(Int64($0))] } + [[.null, .integer(99)]])
        #expect(copied == texts.count + 1)
        let rows = try connection.execute("SELECT s FROM c ORDER BY i")
        #expect(rows.map { $0.string(0) } == texts + [nil])
    }

    @Test func copyCarriesEveryNumberByteAndFlag() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE n (o BIGINT, i BIGINT, b BYTEA, f BOOLEAN, r DOUBLE PRECISION, t TEXT)")
        let integers: [Int64] = [0, 1, -1, 9, 10, -10, 1_000_000_007, .max, .min]
        let bytes: [[UInt8]] = [[], [0], [0x5C], [0x09, 0x0A, 0x0D], Array(0...255)]
        let rows: [[PostgresValue]] = integers.enumerated().map { index, integer in
            [.integer(Int64(index)), .integer(integer), .bytes(bytes[index % bytes.count]), .boolean(index.isMultiple(of: 2)),
             .real(Double(integer) / 3), .text("héllo ✓ \(index)")]
        }
        #expect(try connection.copy(into: "n", columns: ["o", "i", "b", "f", "r", "t"], rows: rows) == integers.count)
        let stored = try connection.execute("SELECT i, b, f, r, t FROM n ORDER BY o")
        #expect(try stored.map { try $0.integer(0) } == integers)
        #expect(try stored.map { try $0.bytes(1) } == integers.indices.map { bytes[$0 % bytes.count] })
        #expect(try stored.map { try $0.bool(2) } == integers.indices.map { $0.isMultiple(of: 2) })
        #expect(try stored.map { try $0.double(3) } == integers.map { Double($0) / 3 })
        #expect(stored.map { $0.string(4) } == integers.indices.map { "héllo ✓ \($0)" })
    }

    @Test func aCopyWithABadValueStoresNothingAndLeavesTheConnectionUsable() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE c (s TEXT)")
        let error = #expect(throws: PostgresError.self) {
            try connection.copy(into: "c", columns: ["s"], rows: [[.text("fine")], [.text("nul\u{0}")]])
        }
        #expect(error?.kind == .value && error?.message.contains("NUL") == true, "\(String(describing: error))")
        #expect(try connection.execute("SELECT count(*) FROM c").first?.int64(0) == 0)
        // A COPY started any other way is refused, and the connection stays usable.
        let started = #expect(throws: PostgresError.self) { try connection.execute("COPY c (s) FROM STDIN") }
        #expect(started?.kind == .value)
        #expect(try connection.execute("SELECT 1").first?.int64(0) == 1)
    }

    @Test func copyQuotesItsTableAndColumnNames() throws {
        let connection = try Self.connect()
        try connection.execute(#"CREATE TABLE "odd ""name""" ("a column" TEXT)"#)
        #expect(try connection.copy(into: #"odd "name""#, columns: ["a column"], rows: [["x"]]) == 1)
        #expect(throws: PostgresError.self) { try connection.copy(into: "c; DROP TABLE x", columns: ["s"], rows: [["x"]]) }
    }

    @Test func anApplicationRoleThatIsNoSuperuserConnects() throws {
        let cluster = try PostgresCluster.started()
        let url = try cluster.createDatabase()
        let admin = try PostgresConnection(url: url)
        let role = "app_\(UUID().uuidString.prefix(8).lowercased())"
        try admin.execute("CREATE ROLE \(role) LOGIN NOSUPERUSER")
        let connection = try PostgresConnection(url: url.replacingOccurrences(of: "user=postgres", with: "user=\(role)"))
        #expect(try connection.execute("SELECT current_user").first?.string(0) == role)
    }

    @Test func aWrongAddressSaysWhereItTriedWithoutThePassword() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://bursar:secret-password@127.0.0.1:1/none?connect_timeout=2")
        }
        #expect(error?.kind == .connection && error?.isUnavailable == true)
        #expect(error?.description.contains("127.0.0.1:1") == true)
        #expect(error?.description.contains("secret-password") == false, "\(String(describing: error))")
        for url in ["postgresql://127.0.0.1:1/none?password=secret-password&connect_timeout=2",
                    "host=127.0.0.1 port=1 password=secret-password connect_timeout=2"] {
            let refused = #expect(throws: PostgresError.self) { try PostgresConnection(url: url) }
            #expect(refused?.description.contains("secret-password") == false, "\(String(describing: refused))")
        }
    }
}
