import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage
import Foundation
import Logging

/// The HTTP API: the route table over a running `Application`, as one responder. Making it
/// starts nothing (the application starts its services).
public struct BursarAPI: Responder {
    public let application: Application
    public let metrics = APIMetrics()
    /// Finds callers' keys (shared by every route).
    public let authenticator: Authenticator
    /// The pools that handlers which may take long run on (see `WorkLanes`).
    public let lanes = WorkLanes()
    /// Admits callers by key and role (the router's, and the bundle 304 fast path's).
    private let gatekeeper: KeyGatekeeper
    private let router: APIRouter

    public init(application: Application, web: WebFiles?) {
        self.application = application
        let database = application.storage
        let writer = application.ingest
        let prices = application.prices
        let publisher = application.publisher
        let monitor = application.monitor
        let alerts = application.alerts
        let clock = application.clock
        let authenticator = Authenticator(keys: database)
        self.authenticator = authenticator
        // Keys cached here are forgotten after every admin change (this replica's or another's).
        application.observeAdminChanges { authenticator.forget() }
        let gatekeeper = KeyGatekeeper(authenticator: authenticator)
        self.gatekeeper = gatekeeper
        // Viewer and admin requests, decisions and conversions run on lanes of their own.
        let lanes = self.lanes
        let readinessLogger = Application.logger(application.logger, service: "readiness")
        var router = APIRouter(gatekeeper: gatekeeper, logger: Application.logger(application.logger, service: "api"),
                               translate: Self.translate)
        let everyone: Set<Role> = [.router, .viewer, .admin]
        let readers: Set<Role> = [.viewer, .admin]

        let metrics = self.metrics
        let ingest = IngestService(ingest: writer, prices: prices, clock: clock)
        let submitter = IngestSubmitter(service: ingest)
        let events = EventsHandler(submitter: submitter)
        router.add("POST", "/v1/events", roles: [.router, .admin], accepts: MediaTypes.events, lanes: lanes, events.handle)
        let traces = TracesHandler(submitter: submitter, publisher: publisher)
        router.add("POST", "/v1/traces", roles: [.router, .admin], accepts: MediaTypes.traces, lanes: lanes, on: lanes.conversions, traces.export)
        let litellm = LiteLLMHandler(submitter: submitter, publisher: publisher)
        router.add("POST", "/v1/integrations/litellm", roles: [.router, .admin], accepts: MediaTypes.litellm, lanes: lanes, on: lanes.conversions, litellm.receive)

        let spend = SpendHandlers(store: database, clock: clock)
        router.add("GET", "/v1/spend", roles: readers, lanes: lanes, spend.spend)
        router.add("GET", "/v1/spend.csv", roles: readers, lanes: lanes, spend.csv)
        router.add("GET", "/v1/spend/summary", roles: readers, lanes: lanes, spend.summary)
        let explorer = EventSearchHandler(store: database, clock: clock)
        router.add("GET", "/v1/events", roles: readers, lanes: lanes, explorer.search)

        let priceList = PricesHandler(store: database, prices: prices)
        router.add("GET", "/v1/prices", roles: everyone, lanes: lanes, priceList.get)
        router.add("PUT", "/v1/prices", roles: [.admin], accepts: MediaTypes.json, lanes: lanes, priceList.put)
        router.add("GET", "/v1/prices/versions", roles: readers, lanes: lanes, priceList.versions)

        let policies = PoliciesHandler(store: database, prices: prices)
        router.add("GET", "/v1/policies", roles: readers, lanes: lanes, policies.list)
        router.add("POST", "/v1/policies", roles: [.admin], accepts: MediaTypes.policy, lanes: lanes, policies.create)
        let simulate = SimulateHandler(store: database, prices: prices, publisher: publisher, policies: policies,
                                       retentionDays: application.options.rawEventRetentionDays, clock: clock)
        router.add("POST", "/v1/policies/simulate", roles: [.admin], accepts: MediaTypes.policy, lanes: lanes, simulate.simulate)
        router.add("GET", "/v1/policies/{revision}", roles: readers, lanes: lanes, policies.get)
        router.add("POST", "/v1/policies/{revision}/activate", roles: [.admin], accepts: MediaTypes.json, lanes: lanes, policies.activate)
        router.add("GET", "/v1/policies/{from}/diff/{to}", roles: readers, lanes: lanes, policies.diff)

        let overrides = OverridesHandler(store: database, clock: clock)
        router.add("GET", "/v1/overrides", roles: readers, lanes: lanes, overrides.list)
        router.add("GET", "/v1/overrides/{id}", roles: readers, lanes: lanes, overrides.get)
        router.add("PUT", "/v1/overrides/{id}", roles: [.admin], accepts: MediaTypes.json, lanes: lanes, overrides.put)
        router.add("DELETE", "/v1/overrides/{id}", roles: [.admin], lanes: lanes, overrides.delete)

        let bundle = BundleHandler(publisher: publisher, metrics: metrics)
        router.add("GET", "/v1/bundle", roles: everyone, lanes: lanes, bundle.get)
        router.add("GET", "/v1/bundle/keys", roles: everyone, lanes: lanes, bundle.keys)

        let decide = DecideHandler(publisher: publisher, clock: clock)
        router.add("POST", "/v1/decide", roles: [.router, .admin], accepts: MediaTypes.json, lanes: lanes, on: lanes.decisions, decide.decide)

        let budgets = BudgetsHandler(store: database, clock: clock)
        router.add("GET", "/v1/budgets", roles: readers, lanes: lanes, budgets.list)
        router.add("GET", "/v1/budgets/{id}", roles: readers, lanes: lanes, budgets.get)
        router.add("GET", "/v1/budgets/{id}/status", roles: readers, lanes: lanes, budgets.status)
        router.add("PUT", "/v1/budgets/{id}", roles: [.admin], accepts: MediaTypes.json, lanes: lanes, budgets.put)
        router.add("DELETE", "/v1/budgets/{id}", roles: [.admin], lanes: lanes, budgets.delete)

        let alertList = AlertsHandler(store: database, delivery: alerts)
        router.add("GET", "/v1/alerts", roles: readers, lanes: lanes, alertList.list)
        // Admins only: a webhook's URL often holds its receiver's secret.
        router.add("GET", "/v1/alerts/webhooks", roles: [.admin], lanes: lanes, alertList.webhooks)

        let fleet = FleetHandler(store: database, publisher: publisher, clock: clock)
        router.add("POST", "/v1/status", roles: [.router, .admin], accepts: MediaTypes.json, lanes: lanes, fleet.report)
        router.add("GET", "/v1/fleet", roles: readers, lanes: lanes, fleet.list)

        let audit = AuditHandler(store: database)
        router.add("GET", "/v1/audit", roles: readers, lanes: lanes, audit.list)

        let keys = KeysHandler(store: database)
        router.add("GET", "/v1/keys", roles: [.admin], lanes: lanes, keys.list)
        router.add("POST", "/v1/keys", roles: [.admin], accepts: MediaTypes.json, lanes: lanes, keys.create)
        router.add("DELETE", "/v1/keys/{name}", roles: [.admin], lanes: lanes, keys.revoke)

        router.add("GET", "/v1/whoami", roles: everyone, lanes: lanes) { _, context in
            .response(.json(.object([("name", .string(context.key?.name ?? "")), ("role", .string(context.key?.role.rawValue ?? ""))])))
        }

        let prometheus = MetricsHandler(database: database, writer: writer, ingest: ingest, publisher: publisher, metrics: metrics, alerts: alerts, clock: clock)
        router.add("GET", "/metrics", roles: readers, lanes: lanes, prometheus.metrics)

        router.add("GET", "/healthz", roles: [], lanes: lanes) { _, _ in .response(.json(["status": "ok"])) }
        router.add("GET", "/readyz", roles: [], lanes: lanes) { _, _ in
            // Unauthenticated: the cause is logged, never answered.
            do {
                try database.checkWritable()
            } catch let full as StorageFull {
                readinessLogger.warning("not ready: \(full)")
                throw HTTPError.unavailable("the database is full (its cap or its disk): ingest answers 503 until there is room; the detail is in the server's log")
            } catch {
                readinessLogger.error("not ready: the database is not writable", metadata: ["error": "\(error)"])
                throw HTTPError.unavailable("the database is not writable; the cause is in the server's log")
            }
            if let since = monitor.failingSinceMillis {
                throw HTTPError.unavailable("budgets could not be evaluated since \(Timestamp.format(since)); routers keep the last bundle (the cause is in the server's log)")
            }
            return .response(.json(["status": "ready"]))
        }
        if let web { router.fallback = { web.response(for: $0) } }
        self.router = router
    }

    public func respond(to request: Request) -> Reply {
        router.respond(to: request)
    }

    /// Every route as (method, pattern, roles).
    public var routeTable: [(method: String, pattern: String, roles: Set<Role>)] {
        router.routeTable.map { ($0.method, $0.pattern, $0.permissions) }
    }

    public func admit(id: String, method: String, path: String, header: (String) -> String?) -> Response? {
        router.admit(id: id, method: method, path: path, header: header)
    }

    /// A router's poll that finds its bundle current: 304 without building a request.
    public func quickResponse(method: String, path: String, header: (String) -> String?) -> Response? {
        guard method == "GET", path == "/v1/bundle", header("Prefer") == nil, let etag = header("If-None-Match"),
              let key = try? gatekeeper.identify(authorization: header("Authorization"), allowing: [.router, .viewer, .admin]),
              let published = try? application.publisher.current(), published.isHeld(byETag: etag) else { return nil }
        APIMetrics.add(metrics.bundleNotModified)
        var response = BundleHandler.notModified(published, asked: etag, waited: nil)
        response.caller = key.name
        return response
    }

    /// Domain errors with answers of their own: an overflowing sum is the request's fault (422);
    /// a bundle not built yet (its first evaluation failed and is being retried) is 503.
    static func translate(_ error: any Error) -> HTTPError? {
        if let overflow = error as? CounterOverflow { return HTTPError(422, overflow.fieldError) }
        if let failure = error as? any StorageUnavailability, failure.isTemporary {
            return .unavailable("the database is not answering; retry shortly", retryAfter: 2)
        }
        if error is BundlePublisher.NotBuilt {
            return .unavailable("the router bundle could not be built yet; retry shortly", retryAfter: 1)
        }
        return nil
    }
}
