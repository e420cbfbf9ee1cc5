import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarSQLite
import BursarStorage
import Foundation
import Logging

/// A whole Bursar API on a fresh in-memory (or temporary file) database, with one key per role,
/// for tests that call the responder directly (no socket).
public final class TestApp: Sendable {
    public let database: SQLiteDatabase
    public let writer: IngestWriter
    public let application: Application
    public let api: BursarAPI
    public let adminKey: String
    public let viewerKey: String
    public let routerKey: String
    /// The one clock of the app: the machine's time (or `now`), moved forward by the test.
    public let clock: TestClock

    /// `now` fixes the clock (until the test moves it); `runningFrom` starts it at a time and
    /// lets it run (for background work that waits, such as webhook retries). A database at
    /// `path` is opened with `durability` (normal: the tests need no fsync unless they say so)
    /// and capped at `maximumBytes`.
    public init(catalog: [ModelPrice] = TestPrices.catalog, baseline: ModelKey = TestPrices.baseline,
                path: String? = nil, durability: SQLiteDatabase.Durability = .normal, maximumBytes: Int64? = nil,
                now: Int64? = nil, runningFrom start: Int64? = nil, alertWebhooks: [String] = [], rawEventRetentionDays: Int? = nil) throws {
        let clock = start.map { TestClock(runningFrom: $0) } ?? TestClock(fixed: now)
        self.clock = clock
        database = try path.map { try SQLiteDatabase(path: $0, durability: durability, maximumBytes: maximumBytes, clock: clock.clock) }
            ?? SQLiteDatabase(clock: clock.clock)
        _ = try database.addPriceCatalog(catalog, author: "test", origin: "test")
        writer = IngestWriter(database: database, logger: .forTests)
        var options = Application.Options(baselineModel: baseline)
        options.alertWebhooks = alertWebhooks
        options.rawEventRetentionDays = rawEventRetentionDays
        application = Application(storage: database, ingest: writer, signer: BundleSigner.ephemeral(), clock: clock.clock, options: options,
                                  logger: .forTests)
        api = BursarAPI(application: application, web: nil)
        try application.start()
        adminKey = try Self.key(database, "test-admin", .admin)
        viewerKey = try Self.key(database, "test-viewer", .viewer)
        routerKey = try Self.key(database, "test-router", .router)
    }

    deinit {
        application.stop()
    }

    /// The prices in force (the application's).
    public var prices: PriceBook { application.prices }

    /// A key named `name`, or (when the database was opened before) a name of its own.
    static func key(_ database: SQLiteDatabase, _ name: String, _ role: Role) throws -> String {
        do {
            return try database.createKey(name: name, role: role)
        } catch KeyError.nameTaken {
            return try database.createKey(name: "\(name)-\(UUID().uuidString.prefix(8))", role: role)
        }
    }

    /// A new router key that may write the sources of `grant` (`a,b,edge-*`).
    public func routerKey(sources grant: String) throws -> String {
        try database.createKey(name: "router-\(UUID().uuidString.prefix(8))", role: .router, sources: SourceGrant(parsing: grant))
    }

    /// Sends a request through the router and waits for the response.
    public func send(_ method: String, _ target: String, key: String?, contentType: String? = "application/json",
                     body: [UInt8] = []) -> Response {
        var headers: [String: String] = [:]
        if let key { headers["Authorization"] = "Bearer \(key)" }
        if let contentType, !body.isEmpty || method == "POST" || method == "PUT" { headers["Content-Type"] = contentType }
        return api.respond(to: Request(method: method, target: target, headers: headers, body: body)).wait()
    }

    public func postEvents(_ events: [JSONValue], key: String? = nil) -> Response {
        send("POST", "/v1/events", key: key ?? routerKey, body: JSONValue.array(events).serialized())
    }

    public func getJSON(_ target: String, key: String? = nil) throws -> [String: Any] {
        let response = send("GET", target, key: key ?? viewerKey)
        return try JSONSupport.object(response.body)
    }
}

extension Logger {
    /// What tests hand the services they build (libraries never make a logger of their own).
    public static let forTests = Logger(label: "bursar.test")
}
