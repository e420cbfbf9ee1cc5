import ArgumentParser
import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarSQLite
import BursarStorage
import Dispatch
import Foundation
import Logging
import MicroHTTPDServer

extension Bursar {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the Bursar server.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Address and port to listen on (HOST:PORT; port 0 picks a free one).")
        var listen = "127.0.0.1:8080"

        @Option(help: "Folder of policy files and prices.yaml.")
        var policies = "policies"

        @Option(help: "Folder of the dashboard's static files.")
        var web = "web"

        @Option(help: "The model savings are measured against (provider/model) while no active policy names a baseline tier.")
        var baselineModel = "openai/gpt-4o-2024-08-06"

        @Option(help: "HTTP worker threads (default: the number of cores, at least 2).")
        var threads: Int?

        @Option(help: "Largest request body accepted, in MiB.")
        var maxBodyMib = 16

        @Option(help: "Most memory held by request bodies being received at once, across all connections, in MiB (past it: 503).")
        var maxBodyMemoryMib = 256

        @Option(help: "Seconds an idle connection is kept open, and the most a request head may take to arrive whole.")
        var connectionTimeout: UInt32 = 30

        @Option(help: "Most connections open at once.")
        var connectionLimit: UInt32 = 10_000

        @Option(help: "Most events waiting for the writer before ingest answers 503.")
        var queueLimit = 200_000

        @Option(help: "POST each budget alert as JSON to this https:// (or http://) URL (repeatable); kept until delivered, retried with backoff.")
        var alertWebhook: [String] = []

        @Option(help: "Trust only this CA (PEM file) for alert webhooks' certificates (default: the system's trust store).")
        var webhookCa: String?

        @Option(help: "Seconds a bundle stays fresh (signed in it as stale_after); routers holding an older one raise an alarm. The same content is issued again every quarter of it.")
        var bundleMaxAge = 3_600

        @Option(help: "Delete raw events older than this many days (rollups are kept); 0 keeps them forever.")
        var retainRawDays = 90

        @Option(help: "Most MiB the database may hold; past it ingest answers 503 and /readyz 503 (deleting raw events, by --retain-raw-days, makes room again); 0: only the disk limits it.")
        var maxDbMib: Int64 = 0

        @Flag(help: "No access log (otherwise a line per request on stderr: method, path, status, milliseconds, key name).")
        var quiet = false

        @Option(help: "The bundle signing key (a file, made if missing); default: beside the SQLite file, or stored once in PostgreSQL for every replica.")
        var signingKey: String?

        @Option(help: "Serve HTTPS: the certificate chain (PEM file); needs --tls-key.")
        var tlsCert: String?

        @Option(help: "Serve HTTPS: the private key (PEM file); needs --tls-cert.")
        var tlsKey: String?

        func validate() throws {
            guard Self.split(listen) != nil else { throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8080") }
            guard ModelKey(baselineModel) != nil else { throw ValidationError("--baseline-model takes provider/model") }
            guard maxBodyMib > 0 else { throw ValidationError("--max-body-mib must be positive") }
            guard maxBodyMemoryMib >= maxBodyMib else { throw ValidationError("--max-body-memory-mib must be at least --max-body-mib") }
            guard (4...(7 * 86_400)).contains(bundleMaxAge) else { throw ValidationError("--bundle-max-age must be 4 to 604800 seconds") }
            guard retainRawDays >= 0 else { throw ValidationError("--retain-raw-days must be 0 or more") }
            guard maxDbMib == 0 || (4...(1 << 40)).contains(maxDbMib) else { throw ValidationError("--max-db-mib must be 0 (no cap) or at least 4") }
            guard maxDbMib == 0 || database.postgresURL == nil else { throw ValidationError("--max-db-mib caps a SQLite file; PostgreSQL manages its own space") }
            guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
            for path in [tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("cannot read \(path)")
            }
            for url in alertWebhook where !AlertDelivery.accepts(url) {
                throw ValidationError("--alert-webhook takes https://HOST[:PORT]/PATH (or http://); '\(url)' is not one")
            }
            if let webhookCa, !FileManager.default.isReadableFile(atPath: webhookCa) { throw ValidationError("cannot read \(webhookCa)") }
        }

        func run() throws {
            LoggingSystem.bootstrap { EscapingLogHandler(StreamLogHandler.standardError(label: $0)) }
            let logger = Logger(label: "bursar")
            // One process per SQLite file (a lock beside it); any number of replicas on PostgreSQL.
            var lock: Int32?
            if database.postgresURL == nil {
                try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: database.sqlitePath).deletingLastPathComponent().path,
                                                        withIntermediateDirectories: true)
                lock = try ServeLock.acquire(database: database.sqlitePath)
            }
            defer { if let lock { close(lock) } }
            let opened: OpenedDatabase
            do {
                opened = try database.open(maximumBytes: maxDbMib > 0 ? maxDbMib << 20 : nil)
            } catch {
                throw ServeLock.explain(error, database: database.sqlitePath)
            }
            let db = opened.storage
            do {
                try db.checkWritable()
            } catch let full as StorageFull {
                // Reads are still served; ingest answers 503 until retention (or a larger cap) makes room.
                logger.warning("\(full); ingest will answer 503 until there is room")
            } catch {
                throw ServeLock.explain(error, database: database.sqlitePath)
            }
            let catalog = try loadPrices(db, logger: logger)
            try importPolicies(db, catalog: catalog, logger: logger)
            if try !db.hasKeys(), let secret = try firstAdminKey(db) {
                Output.line("""

                    ================================================================
                      First start: an admin API key was created. It is shown once.

                        \(secret)

                      Keep it safe; make more with `bursar keys create`.
                    ================================================================

                    """)
            }
            let writer = opened.ingestWriter(maximumQueuedEvents: queueLimit, logger: Application.logger(logger, service: "ingest"))
            // The active policy names the baseline; --baseline-model stands in until one does.
            var options = Application.Options(baselineModel: ModelKey(baselineModel)!)
            options.alertWebhooks = alertWebhook
            options.webhookCAFile = webhookCa
            options.rawEventRetentionDays = retainRawDays > 0 ? retainRawDays : nil
            options.bundleFreshness = BundleFreshness(maximumAgeMillis: Int64(bundleMaxAge) * 1_000)
            let application = Application(storage: db, ingest: writer, signer: try bundleSigner(opened), clock: db.clock, options: options,
                                          logger: logger)
            let api = BursarAPI(application: application, web: WebFiles(root: web))

            let (host, port) = Self.split(listen)!
            var configuration = MicroHTTPDServer.Configuration()
            configuration.host = host
            configuration.port = port
            if let threads { configuration.threads = threads }
            configuration.maximumBodyBytes = maxBodyMib * 1024 * 1024
            configuration.maximumBodyBytesInFlight = maxBodyMemoryMib * 1024 * 1024
            configuration.connectionTimeoutSeconds = connectionTimeout
            // A whole head within the same time a connection may stay idle: a client that
            // trickles one is closed then, one that idles between requests is not closed sooner.
            configuration.headDeadline = .seconds(Int(connectionTimeout))
            configuration.connectionLimit = connectionLimit
            configuration.accessLog = !quiet
            if let tlsCert, let tlsKey {
                configuration.tlsCertificatePEM = try String(contentsOfFile: tlsCert, encoding: .utf8)
                configuration.tlsKeyPEM = try String(contentsOfFile: tlsKey, encoding: .utf8)
            }
            let scheme = tlsCert == nil ? "http" : "https"
            // Watched before the server listens, so that a SIGTERM sent at once is not lost.
            let shutdown = ShutdownSignal()
            let server = MicroHTTPDServer(configuration: configuration, responder: api, logger: Application.logger(logger, service: "http"))
            // Started before the first request: a bundle is published, the writer commits.
            try application.start()
            let bound: UInt16
            do {
                bound = try server.start()
            } catch {
                application.stop()
                throw error
            }
            let kept = retainRawDays > 0 ? "raw events kept \(retainRawDays) days" : "raw events kept for ever"
            logger.info("Bursar listening on \(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(bound)/ (database \(opened.description); \(kept))")
            Output.line("listening on \(scheme)://\(host):\(bound)/ (database \(opened.description); \(kept))")

            shutdown.wait()
            logger.info("stopping: answering long polls, draining requests in flight")
            application.beginStopping()
            server.drain()
            application.stop()
            logger.info("stopped; every acknowledged event is committed")
        }

        /// The first admin key, or nil when another replica starting at the same time made it.
        private func firstAdminKey(_ db: any Storage) throws -> String? {
            do {
                return try db.createKey(name: "admin", role: .admin)
            } catch KeyError.nameTaken {
                return nil
            }
        }

        /// The key bundles are signed with: `--signing-key`, else beside the SQLite file, else
        /// stored once in PostgreSQL (so every replica signs alike and ETags match).
        private func bundleSigner(_ opened: OpenedDatabase) throws -> BundleSigner {
            if let signingKey { return try BundleSigner.loadOrCreate(path: signingKey) }
            switch opened {
            case .sqlite(let database):
                return try BundleSigner.loadOrCreate(path: database.path + ".signing-key")
            case .postgres(let database):
                let stored = try database.setting("bundle_signing_key", orInsert: BundleSigner.newStoredKey())
                guard let signer = BundleSigner(stored: stored) else { throw ValidationError("the bundle signing key stored in the database is unreadable") }
                return signer
            }
        }

        private func loadPrices(_ db: any Storage, logger: Logger) throws -> PriceCatalog {
            let path = policies + "/prices.yaml"
            guard FileManager.default.fileExists(atPath: path) else {
                logger.warning("no \(path); events stay unpriced until prices are set with PUT /v1/prices")
                return try db.currentPriceCatalog()
            }
            let file = try PriceFile.load(path: path)
            let (catalog, imported) = try db.importPriceFile(file.prices, content: file.content)
            if imported { logger.info("imported \(file.prices.count) prices from \(path) as catalog version \(catalog.version)") }
            return catalog
        }

        private func importPolicies(_ db: any Storage, catalog: PriceCatalog, logger: Logger) throws {
            for result in try db.importPolicyFiles(directory: policies, catalog: catalog) {
                for problem in result.problems {
                    let text = "\(result.file):\(problem.line.map(String.init) ?? "-"): \(problem.field): \(problem.message)"
                    if problem.severity == .error { logger.error("\(text)") } else { logger.warning("\(text)") }
                }
                if result.revision == nil {
                    logger.error("\(result.file) was not imported; the active policy is unchanged")
                } else if result.created {
                    logger.info("imported \(result.file) as policy revision \(result.revision!.prefix(12))")
                }
            }
            if let active = try db.activePolicy() {
                logger.info("active policy '\(active.policy.name)' revision \(active.revision.prefix(12))")
            }
        }

        static func split(_ listen: String) -> (String, UInt16)? {
            guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else { return nil }
            var host = String(listen[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return (host.isEmpty ? "0.0.0.0" : host, port)
        }
    }
}
