import CLibPQ
import Foundation

/// One connection to PostgreSQL through libpq: synchronous, used by one thread at a time (the
/// ingest writer's, or a request's while it holds the connection from a pool). Statements take
/// parameters (`$1`, `$2`...) and never interpolate values into SQL.
public final class PostgresConnection {
    private let connection: OpaquePointer
    /// Where it connects, without any password (for messages and logs).
    public let redactedURL: String

    /// Connects to `url` (`postgres://user@host:port/database`, or `?host=/socket/directory`).
    public init(url: String) throws(PostgresError) {
        redactedURL = Self.redact(url)
        guard let connection = PQconnectdb(url) else { throw PostgresError(.connection, "out of memory connecting to \(redactedURL)") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(connection)
            PQfinish(connection)
            throw PostgresError(.connection, "cannot connect to \(Self.redact(url)): \(message)")
        }
        self.connection = connection
        // Bursar stores time as epoch milliseconds and money as integers: nothing depends on the
        // session's time zone or locale, but messages should not be translated.
        try execute("SET lc_messages TO 'C'")
    }

    deinit { PQfinish(connection) }

    /// Whether the connection is still usable (false once the server has gone).
    public var isOpen: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Runs one statement with `parameters` and returns its rows. Without parameters `sql` may
    /// hold several statements (a migration); the rows are the last one's.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
        if parameters.isEmpty {
            let result = PQexec(connection, sql)
            // Several statements give several results; PQexec keeps the last.
            return try read(result)
        }
        let texts = try parameters.map { value throws(PostgresError) -> String? in
            guard let text = value.textFormat else { return nil }
            guard !text.utf8.contains(0) else { throw PostgresError(.value, "PostgreSQL text cannot hold a NUL byte") }
            return text
        }
        let result = Self.withCStrings(texts) { pointers in
            PQexecParams(connection, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try read(result)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isOpen { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Copies `rows` into `table` (`COPY ... FROM STDIN`, text format): far fewer round trips
    /// and parses than one INSERT per row. Returns how many rows were copied.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: [[PostgresValue]]) throws(PostgresError) -> Int {
        try read(PQexec(connection, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        var failure: PostgresError?
        for row in rows {
            do throws(PostgresError) {
                try PostgresCopyText.append(row, to: &buffer)
            } catch {
                failure = error
                break
            }
            if buffer.count >= 60 * 1024 {
                guard send(&buffer) else { break }
            }
        }
        if failure == nil, !buffer.isEmpty { _ = send(&buffer) }
        let ended = failure.map { PQputCopyEnd(connection, "\($0.message)") } ?? PQputCopyEnd(connection, nil)
        guard ended == 1 else { throw PostgresError(.connection, Self.message(connection)) }
        let outcome = try read(PQgetResult(connection))
        while let extra = PQgetResult(connection) { PQclear(extra) }
        if let failure { throw failure }
        return outcome.changed
    }

    private func send(_ buffer: inout [UInt8]) -> Bool {
        let sent = buffer.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        buffer.removeAll(keepingCapacity: true)
        return sent == 1
    }

    /// Reads a result (and frees it): its rows, or the error it carries. A COPY that is ready
    /// for its data reads as no rows.
    @discardableResult
    private func read(_ result: OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let result else { throw PostgresError(.connection, Self.message(connection)) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            let rows = (0..<Int(PQntuples(result))).map { row in
                PostgresRows.Row(fields: (0..<columnCount).map { column in
                    PQgetisnull(result, Int32(row), Int32(column)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                })
            }
            return PostgresRows(columns: columns, rows: rows, changed: Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_COPY_IN:
            return PostgresRows(columns: [], rows: [], changed: 0)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? Self.message(connection)
            throw PostgresError(state == nil && !isOpen ? .connection : .statement, sqlState: state, message)
        }
    }

    private static func message(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func withCStrings<T>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    /// `url` without its password.
    static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "(a PostgreSQL URL)"
    }
}
