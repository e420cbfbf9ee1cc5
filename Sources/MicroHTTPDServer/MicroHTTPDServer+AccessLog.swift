import HTTPToolkit
import Logging

extension MicroHTTPDServer {
    /// `GET /v1/bundle 304 0.4 ms checkout-router`: the path without its query, the caller
    /// by name (never a key), `-` when there is none; the request's id in the metadata, as on
    /// every line logged for the request.
    func logAccess(_ exchange: Exchange, _ response: Response) {
        let elapsed = ContinuousClock.now - exchange.started
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        let millis = "\(micros / 1000).\(micros % 1000 / 100)"
        logger.info("\(exchange.method) \(exchange.path) \(response.status) \(millis) ms \(response.caller ?? "-")",
                    metadata: ["request_id": "\(exchange.id)"])
    }
}
