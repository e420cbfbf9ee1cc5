import CLibPQ
import Foundation

/// One connection to PostgreSQL through libpq: synchronous, used by one thread at a time (the
/// ingest writer's, or a request's while it holds the connection from a pool). Statements take
/// parameters (`$1`, `$2`...) and never interpolate values into SQL. It is handed from thread
/// to thread by a pool, never used by two at once.
public final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    /// Where it connects, without any password (for messages and logs).
    public let redactedURL: String

    /// Connects to `url` (`postgres://user@host:port/database`, or `?host=/socket/directory`).
    /// Unless the URL says otherwise, connecting gives up after 10 s and a peer gone silent is
    /// noticed within about 30 s (TCP keepalives and user timeout), so a partition becomes an
    /// error (a 503) rather than a request that hangs.
    public init(url: String) throws(PostgresError) {
        redactedURL = Self.redact(url)
        guard let connection = PQconnectdb(Self.withTimeouts(url)) else { throw PostgresError(.connection, "out of memory connecting to \(redactedURL)") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(connection)
            PQfinish(connection)
            throw PostgresError(.connection, "cannot connect to \(redactedURL): \(message)")
        }
        self.connection = connection
        // Text goes both ways as UTF-8 whatever the database's own encoding (any role may set
        // this; `lc_messages` would need a superuser, and errors are told apart by SQLSTATE).
        try execute("SET client_encoding TO 'UTF8'")
        // Notices ("already exists, skipping") would go to standard error.
        try execute("SET client_min_messages TO WARNING")
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
        let texts = try parameters.map { value throws(PostgresError) in try value.checkedText() }
        let result = Self.withCStrings(texts) { pointers in
            PQexecParams(connection, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try read(result)
    }

    /// Runs one query and hands each row to `body` in PostgreSQL's binary format, straight from
    /// libpq's buffer: no string per field, bytea as its bytes. For reads of many rollup rows,
    /// where parsing text and hex cost more than the query itself.
    public func forEachRow(binary sql: String, _ parameters: [PostgresValue] = [],
                           _ body: (PostgresBinaryRow) throws -> Void) throws {
        let texts = try parameters.map { value throws(PostgresError) in try value.checkedText() }
        let result = Self.withCStrings(texts) { pointers in
            PQexecParams(connection, sql, Int32(pointers.count), nil, pointers, nil, nil, 1)
        }
        guard let result else { throw PostgresError(.connection, Self.message(connection)) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK else { throw failure(result) }
        for row in 0..<PQntuples(result) { try body(PostgresBinaryRow(result: result, row: row)) }
    }

    /// Runs `body` in a transaction (`begin` starts it, with its isolation level): committed
    /// when it returns, rolled back when it throws.
    public func transaction<T>(begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let value = try body()
            // A transaction that failed answers COMMIT with ROLLBACK, not an error: never
            // taken for a commit (an acknowledgement must mean durable).
            let ended = try execute("COMMIT")
            guard ended.command == "COMMIT" else { throw PostgresError(.statement, "the transaction was rolled back (\(ended.command))") }
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
        let names = ([table] + columns).map(Self.identifier)
        try read(PQexec(connection, "COPY \(names[0]) (\(names.dropFirst().joined(separator: ", "))) FROM STDIN"), copying: true)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        var failure: PostgresError?
        for row in rows where failure == nil {
            do throws(PostgresError) {
                try PostgresCopyText.append(row, to: &buffer)
                if buffer.count >= 60 * 1024 { try send(&buffer) }
            } catch {
                failure = error
            }
        }
        if failure == nil, !buffer.isEmpty {
            do throws(PostgresError) { try send(&buffer) } catch { failure = error }
        }
        // A failure ends the COPY with an error message: the server stores none of it.
        let ended = failure.map { PQputCopyEnd(connection, $0.message) } ?? PQputCopyEnd(connection, nil)
        guard ended == 1 else { throw PostgresError(.connection, Self.message(connection)) }
        let outcome = Result { () throws(PostgresError) in try read(PQgetResult(connection)) }
        while let extra = PQgetResult(connection) { PQclear(extra) }
        if let failure { throw failure }
        return try outcome.get().changed
    }

    private func send(_ buffer: inout [UInt8]) throws(PostgresError) {
        let sent = buffer.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        buffer.removeAll(keepingCapacity: true)
        guard sent == 1 else { throw PostgresError(.connection, Self.message(connection)) }
    }

    /// The payloads of the notifications (`LISTEN`) that arrived, waiting up to `milliseconds`
    /// for the first, or until `wake` (a descriptor) is readable; throws when the connection is lost.
    public func notifications(waitingUpTo milliseconds: Int32, orUntilReadable wake: Int32? = nil) throws(PostgresError) -> [String] {
        var payloads = takeNotifications()
        guard payloads.isEmpty else { return payloads }
        var descriptors = [pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)]
        guard descriptors[0].fd >= 0 else { throw PostgresError(.connection, "the connection has no socket") }
        if let wake { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        if ready < 0, errno != EINTR { throw PostgresError(.connection, "poll: \(String(cString: strerror(errno)))") }
        if ready > 0, descriptors[0].revents != 0 {
            guard PQconsumeInput(connection) == 1 else { throw PostgresError(.connection, Self.message(connection)) }
            payloads = takeNotifications()
        }
        guard isOpen else { throw PostgresError(.connection, Self.message(connection)) }
        return payloads
    }

    private func takeNotifications() -> [String] {
        var payloads: [String] = []
        while let notification = PQnotifies(connection) {
            payloads.append(String(cString: notification.pointee.extra))
            PQfreemem(notification)
        }
        return payloads
    }

    /// An empty temporary table `name` with `like`'s columns (no constraints), emptied at each
    /// commit: made if this session has none (a rolled-back transaction or savepoint may have
    /// taken it away), emptied now if this transaction used it already (DELETE: a TRUNCATE
    /// makes a new file each time).
    public func prepareTemporaryTable(_ name: String, like table: String) throws(PostgresError) {
        try prepareTemporaryTable(name, definition: "(LIKE \(Self.identifier(table)))")
    }

    /// An empty temporary table `name` made from `query`'s columns (`... WITH NO DATA`).
    public func prepareTemporaryTable(_ name: String, as query: String) throws(PostgresError) {
        try prepareTemporaryTable(name, definition: "AS " + query, onCommitFirst: true)
    }

    private func prepareTemporaryTable(_ name: String, definition: String, onCommitFirst: Bool = false) throws(PostgresError) {
        let quoted = Self.identifier(name)
        try execute(onCommitFirst ? "CREATE TEMP TABLE IF NOT EXISTS \(quoted) ON COMMIT DELETE ROWS \(definition)"
                                  : "CREATE TEMP TABLE IF NOT EXISTS \(quoted) \(definition) ON COMMIT DELETE ROWS")
        try execute("DELETE FROM \(quoted)")
    }

    /// `name` as a quoted SQL identifier.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Reads a result (and frees it): its rows, or the error it carries. When `copying`, a COPY
    /// ready for its data reads as no rows; otherwise a COPY is refused (only `copy` feeds one).
    @discardableResult
    private func read(_ result: OpaquePointer?, copying: Bool = false) throws(PostgresError) -> PostgresRows {
        guard let result else { throw PostgresError(.connection, Self.message(connection)) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            let types = (0..<columnCount).map { UInt32(PQftype(result, Int32($0))) }
            let rows = (0..<Int(PQntuples(result))).map { row in
                PostgresRows.Row(fields: (0..<columnCount).map { column in
                    PQgetisnull(result, Int32(row), Int32(column)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                })
            }
            return PostgresRows(columns: columns, types: types, rows: rows, changed: Int(String(cString: PQcmdTuples(result))) ?? 0,
                                command: String(cString: PQcmdStatus(result)))
        case PGRES_COPY_IN where copying:
            return PostgresRows(columns: [], types: [], rows: [], changed: 0)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQputCopyEnd(connection, "COPY runs only through copy(into:columns:rows:)")
            while let extra = PQgetResult(connection) { PQclear(extra) }
            throw PostgresError(.value, "COPY runs only through copy(into:columns:rows:)")
        default:
            throw failure(result)
        }
    }

    /// The error a failed result carries.
    private func failure(_ result: OpaquePointer) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? Self.message(connection)
        // The server's errors carry a SQLSTATE; one without it is libpq's: the connection failed.
        return PostgresError(state == nil ? .connection : .statement, sqlState: state, message)
    }

    private static func message(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func withCStrings<T>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    /// `url` with the timeouts Bursar wants, where it does not set them itself.
    static func withTimeouts(_ url: String) -> String {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), var components = URLComponents(string: url) else { return url }
        var items = components.queryItems ?? []
        let defaults = [("connect_timeout", "10"), ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"),
                        ("keepalives_count", "3"), ("tcp_user_timeout", "30000")]
        for (name, value) in defaults where !items.contains(where: { $0.name == name }) {
            items.append(URLQueryItem(name: name, value: value))
        }
        components.queryItems = items
        return components.string ?? url
    }

    /// `url` without its password, and the password (for `PGPASSWORD`).
    static func separatingPassword(_ url: String) -> (url: String, password: String?) {
        guard var components = URLComponents(string: url) else { return (url, nil) }
        var password = components.password
        components.password = nil
        if let item = components.queryItems?.first(where: { $0.name == "password" }) {
            password = item.value
            components.queryItems = components.queryItems?.filter { $0.name != "password" }
        }
        return (components.string ?? url, password)
    }

    /// `url` without any password (in its user part or its query); a connection string that
    /// is not a URL is not shown at all.
    static func redact(_ url: String) -> String {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), var components = URLComponents(string: url) else {
            return "(a PostgreSQL connection string)"
        }
        if components.password != nil { components.password = "***" }
        components.queryItems = components.queryItems?.map { $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0 }
        return components.string ?? "(a PostgreSQL URL)"
    }
}
