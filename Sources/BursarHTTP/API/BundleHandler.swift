import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// `GET /v1/bundle` (ETag, `If-None-Match`, `Prefer: wait=N`) and `GET /v1/bundle/keys`.
struct BundleHandler: Sendable {
    let publisher: BundlePublisher
    let metrics: APIMetrics

    func get(_ request: Request, _ context: APIContext) throws -> Reply {
        let wait = try Self.wait(request.header("prefer"))
        guard let etag = request.header("if-none-match") else {
            APIMetrics.add(metrics.bundleFull)
            return .response(Self.response(try publisher.current(), waited: nil))
        }
        // `*` matches whatever is published: there is no change to wait for, so it is answered at once.
        if let wait, etag != "*" {
            APIMetrics.add(metrics.bundleLongPolls)
            let published = try publisher.current()
            let pending = PendingResponse()
            publisher.wait(ifNoneMatch: etag, seconds: wait) { latest, changed in
                let latest = latest ?? published
                pending.complete(changed ? Self.response(latest, waited: wait) : Self.notModified(latest, asked: etag, waited: wait))
            }
            return .pending(pending)
        }
        let published = try publisher.current()
        let current = published.isHeld(byETag: etag)
        if current { APIMetrics.add(metrics.bundleNotModified) } else { APIMetrics.add(metrics.bundleFull) }
        return .response(current ? Self.notModified(published, asked: etag, waited: nil) : Self.response(published, waited: nil))
    }

    static func response(_ published: BundlePublisher.Published, waited: Int?) -> Response {
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"), ("ETag", published.etag), ("Cache-Control", "no-cache"),
            ("Bursar-Signature", published.signature),
        ]
        if let waited { headers.append(("Preference-Applied", "wait=\(waited)")) }
        return Response(status: 200, headers: headers, body: published.bundle.body)
    }

    /// 304 for a router holding `asked`: that ETag again (it may be a fresher issue of the same
    /// content than this replica's), so that no cache pairs one issue's ETag with another's body.
    static func notModified(_ published: BundlePublisher.Published, asked: String, waited: Int?) -> Response {
        var headers: [(String, String)] = [("ETag", asked == "*" ? published.etag : asked), ("Cache-Control", "no-cache")]
        if let waited { headers.append(("Preference-Applied", "wait=\(waited)")) }
        return Response(status: 304, headers: headers)
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
