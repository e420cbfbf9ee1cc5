import BursarCore
import HTTPToolkit
import BursarStore

/// `GET /v1/bundle` (ETag, `If-None-Match`, `Prefer: wait=N`) and `GET /v1/bundle/keys`.
struct BundleHandler: Sendable {
    let publisher: BundlePublisher
    let metrics: APIMetrics

    func get(_ request: Request, _ context: APIContext) throws -> Reply {
        let wait = try Self.wait(request.header("prefer"))
        guard let etag = request.header("if-none-match") else {
            APIMetrics.add(metrics.bundleFull)
            return .response(BundlePublisher.response(try publisher.current(), waited: nil))
        }
        if let wait {
            APIMetrics.add(metrics.bundleLongPolls)
            return try publisher.wait(ifNoneMatch: etag, seconds: wait)
        }
        let published = try publisher.current()
        let current = etag == published.etag || etag == "*"
        if current { APIMetrics.add(metrics.bundleNotModified) } else { APIMetrics.add(metrics.bundleFull) }
        return .response(current ? BundlePublisher.notModified(published, waited: nil) : BundlePublisher.response(published, waited: nil))
    }

    func keys(_ request: Request, _ context: APIContext) throws -> Reply {
        .response(.json(.object([("keys", .array([.object([
            ("id", .string(publisher.signer.keyID)),
            ("algorithm", "Ed25519"),
            ("public_key", .string(publisher.signer.publicKeyBase64)),
        ])]))])))
    }

    /// `Prefer: wait=N`, capped at 60 seconds (RFC 7240).
    static func wait(_ prefer: String?) throws -> Int? {
        guard let prefer else { return nil }
        for preference in prefer.split(separator: ",") {
            let parts = preference.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard parts.first?.lowercased() == "wait" else { continue }
            guard parts.count == 2, let seconds = Int(parts[1]), seconds >= 0 else {
                throw HTTPError.badRequest("Prefer: wait takes a whole number of seconds", field: "Prefer")
            }
            return min(seconds, BundlePublisher.maximumWaitSeconds)
        }
        return nil
    }
}
