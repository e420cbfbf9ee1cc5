import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// `GET /v1/alerts?budget=&from=&to=` (budget state changes, newest first) and
/// `GET /v1/alerts/webhooks` (where they are delivered, with counts).
struct AlertsHandler: Sendable {
    let store: any AlertStore
    let delivery: AlertDelivery

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        let (from, to) = try request.timeSpan()
        let alerts = try store.alerts(budget: request.query["budget"], from: from, to: to, limit: 1000)
        return .response(.json(.object([("alerts", .array(alerts.map { .raw(Array($0.document.utf8)) }))])))
    }

    func webhooks(_ request: Request, _ context: APIContext) throws -> Reply {
        let tallies = Dictionary(try store.webhookTallies().map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        return .response(.json(.object([("webhooks", .array(delivery.urls.map { url in
            let tally = tallies[url] ?? WebhookTally(url: url, pending: 0, delivered: 0, givenUp: 0)
            return .object([("url", .string(url)), ("pending", .integer(Int64(tally.pending))),
                            ("delivered", .integer(Int64(tally.delivered))), ("given_up", .integer(Int64(tally.givenUp)))])
        }))])))
    }
}
