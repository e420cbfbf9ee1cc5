import BursarCore
import BursarTesting
import Foundation
import Testing

/// Nothing of a body is read before its sender is authenticated and its route, role and media
/// type are known; bodies in flight share one bounded budget; over-long heads get JSON errors.
@Suite struct BodyAdmissionTests {
    func head(_ method: String = "POST", _ target: String = "/v1/events", key: String?, type: String = "application/json",
              length: Int, extra: String = "") -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: bursar\r\nContent-Type: \(type)\r\nContent-Length: \(length)\r\n"
        if let key { text += "Authorization: Bearer \(key)\r\n" }
        return text + extra + "\r\n"
    }

    @Test func aBodyWithoutAGoodKeyIsRefusedBeforeItIsSent() throws {
        let live = try LiveServer(app: TestApp())
        // `Expect: 100-continue` with no key, a wrong key, a viewer key, a wrong media type:
        // the answer comes at once, with no `100 Continue`, and no body is ever sent.
        let cases: [(String?, String, Int)] = [
            (nil, "application/json", 401), ("bsr_made_up", "application/json", 401),
            (live.app.viewerKey, "application/json", 403), (live.app.routerKey, "text/csv", 415),
            (live.app.routerKey, ";", 415),
        ]
        for (key, type, status) in cases {
            let socket = try live.socket()
            socket.send(head(key: key, type: type, length: 5_000_000, extra: "Expect: 100-continue\r\n"))
            let answer = socket.receive(seconds: 3)
            #expect(RawSocket.status(answer) == status, "\(key ?? "no key") \(type): \(answer.prefix(200))")
            #expect(!answer.contains("100 Continue"))
            #expect(answer.contains("\"error\""), "JSON error shape: \(answer.prefix(300))")
        }
        // Without Expect, a refused body larger than any accepted body is not read either: the
        // answer comes before it is sent.
        let socket = try live.socket()
        socket.send(head(key: nil, length: 1 << 40))
        #expect(RawSocket.status(socket.receive(seconds: 3)) == 401)
        // A good key with `Expect` is told to go on.
        let good = try live.socket()
        good.send(head(key: live.app.routerKey, length: 10, extra: "Expect: 100-continue\r\n"))
        #expect(good.receive(seconds: 2).hasPrefix("HTTP/1.1 100"))
    }

    @Test func unauthenticatedBodiesTakeNoMemory() throws {
        // Bodies in flight may hold 1 MiB in all: refused bodies are dropped as they arrive,
        // so a client with no key can send many without touching that budget.
        let live = try LiveServer(app: TestApp(), maximumBodyBytes: 512 * 1024, maximumBodyBytesInFlight: 1024 * 1024)
        let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024)
        let sockets = try (0..<8).map { _ in try live.socket() }
        for socket in sockets {
            socket.send(head(key: nil, length: 8 * chunk.count))
            for _ in 0..<8 { socket.send(chunk) }
        }
        for socket in sockets { #expect(RawSocket.status(socket.receive()) == 401) }
        #expect(live.server.bodyBytesReserved == 0)
        // An authorised body still fits.
        let reply = try live.connection().send("POST", "/v1/events", headers: [
            "Authorization": "Bearer \(live.app.routerKey)", "Content-Type": "application/json"],
            body: JSONValue.array([EventJSON.event("after")]).serialized())
        #expect(reply.status == 200)
    }

    @Test func bodiesInFlightShareOneBoundedBudget() throws {
        let live = try LiveServer(app: TestApp(), maximumBodyBytes: 512 * 1024, maximumBodyBytesInFlight: 1024 * 1024)
        // Two authorised 512 KiB bodies, half sent and held: the budget is spent.
        let holders = try (0..<2).map { _ in try live.socket() }
        for holder in holders {
            holder.send(head(key: live.app.routerKey, length: 512 * 1024))
            holder.send([UInt8](repeating: UInt8(ascii: " "), count: 1024))
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(live.server.bodyBytesReserved == 1024 * 1024)
        // A third is refused with 503 and Retry-After, from its head.
        let third = try live.socket()
        third.send(head(key: live.app.routerKey, length: 512 * 1024, extra: "Expect: 100-continue\r\n"))
        let answer = third.receive(seconds: 3)
        #expect(RawSocket.status(answer) == 503 && answer.lowercased().contains("retry-after:"), "\(answer.prefix(300))")
        // A chunked body that would pass the budget is refused too, once it does.
        let chunked = try live.socket()
        chunked.send("POST /v1/events HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer \(live.app.routerKey)\r\n\r\n")
        chunked.send("10000\r\n" + String(repeating: " ", count: 65_536) + "\r\n0\r\n\r\n")
        #expect(RawSocket.status(chunked.receive()) == 503)
        // Once the holders go away, their memory is given back.
        holders.forEach { $0.send([UInt8](repeating: UInt8(ascii: " "), count: 511 * 1024)) }
        for holder in holders { #expect(RawSocket.status(holder.receive()) == 400, "spaces are no JSON: 400, and the memory is returned") }
        #expect(live.server.bodyBytesReserved == 0)
    }

    @Test func ambiguousFramingIsRefusedAndTheConnectionClosed() throws {
        let live = try LiveServer(app: TestApp())
        let key = live.app.routerKey
        let cases = [
            "Content-Length: 7\r\nContent-Length: 120\r\n",
            "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n",
            "Content-Length: 18446744073709551615\r\n",
            "Transfer-Encoding: gzip\r\n",
        ]
        for framing in cases {
            let socket = try live.socket()
            // A smuggled second request follows the first's declared body.
            socket.send("POST /v1/events HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\n\(framing)\r\n"
                        + "{\"a\":1}GET /v1/whoami HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer \(live.app.adminKey)\r\n\r\n")
            let (answer, closed) = socket.receiveUntilClosed(within: 5)
            #expect(RawSocket.status(answer) == 400 && answer.contains("bad_framing"), "\(framing): \(answer.prefix(200))")
            #expect(closed, "the connection is closed after the refusal")
            #expect(answer.components(separatedBy: "HTTP/1.1 ").count == 2 && !answer.contains("test-admin"),
                    "one answer, the refusal: the smuggled request was not answered: \(answer.prefix(400))")
        }
    }

    @Test func headersThatMustBeSentOnceAndRepeatedParametersAreRefused() throws {
        let live = try LiveServer(app: TestApp())
        let viewer = live.app.viewerKey, router = live.app.routerKey
        let etag = try #require(try live.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(router)"]).headers["etag"])
        let cases: [(String, String)] = [
            // A viewer first and a made-up key second: once admitted as the one, handled as the other.
            ("GET /v1/spend HTTP/1.1\r\nAuthorization: Bearer \(viewer)\r\nAuthorization: Bearer bsr_made_up\r\n", "Authorization"),
            ("GET /v1/bundle HTTP/1.1\r\nAuthorization: Bearer \(router)\r\nauthorization: Bearer \(viewer)\r\nIf-None-Match: \(etag)\r\n", "Authorization"),
            ("POST /v1/events HTTP/1.1\r\nAuthorization: Bearer \(router)\r\nContent-Type: application/json\r\nContent-Type: text/csv\r\nContent-Length: 2\r\n", "Content-Type"),
            ("POST /v1/events HTTP/1.1\r\nAuthorization: Bearer \(router)\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n", "Content-Encoding"),
            ("GET /v1/spend?group_by=user&group_by=team HTTP/1.1\r\nAuthorization: Bearer \(viewer)\r\n", "group_by"),
        ]
        for (head, field) in cases {
            let socket = try live.socket()
            socket.send(head + "Host: b\r\n\r\n[]")
            let answer = socket.receive(seconds: 3)
            #expect(RawSocket.status(answer) == 400 && answer.contains(#""field":"\#(field)""#), "\(head.prefix(60)): \(answer.prefix(300))")
        }
        #expect(try live.connection().send("GET", "/v1/spend?group_by=user,team", headers: ["Authorization": "Bearer \(viewer)"]).status == 200)
    }

    @Test func whatABodyInflatesIntoIsHeldInTheSharedBudget() throws {
        // Bodies in flight may hold 1 MiB in all; this one is 2 KB on the wire and 2 MiB inflated.
        let live = try LiveServer(app: TestApp(), maximumBodyBytes: 512 * 1024, maximumBodyBytesInFlight: 1024 * 1024)
        let body = try DecodedSizeTests.gzip([UInt8](repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024))
        let reply = try live.connection().send("POST", "/v1/events", headers: [
            "Authorization": "Bearer \(live.app.routerKey)", "Content-Type": "application/json", "Content-Encoding": "gzip"], body: body)
        #expect(reply.status == 503 && reply.text.contains("inflated bodies"), "\(reply.status) \(reply.text)")
        #expect(live.server.bodyBytesReserved == 0, "given back once answered")
    }

    @Test func aNulInThePathIsNotCutShort() throws {
        let live = try LiveServer(app: TestApp())
        let reply = try live.connection().send("PUT", "/v1/budgets/zz%00evil", headers: [
            "Authorization": "Bearer \(live.app.adminKey)", "Content-Type": "application/json"],
            body: Array(#"{"period":"day","limit_usd":"5"}"#.utf8))
        #expect(reply.status == 400 && reply.text.contains("control character"), "refused, not stored as 'zz': \(reply.text)")
        #expect(live.app.send("GET", "/v1/budgets/zz", key: live.app.viewerKey).status == 404)
        #expect(try live.connection().send("GET", "/v1/budgets/a%41", headers: ["Authorization": "Bearer \(live.app.viewerKey)"]).status == 404,
                "other escapes are still decoded")
    }

    @Test func overLongHeadsGetJSONErrors() throws {
        let live = try LiveServer(app: TestApp())
        let target = try live.socket()
        target.send("GET /v1/spend?group_by=\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: b\r\n\r\n")
        let long = target.receive()
        #expect(RawSocket.status(long) == 414 && long.contains("\"code\":\"target_too_long\""), "\(long.prefix(300))")
        let headers = try live.socket()
        headers.send("GET /healthz HTTP/1.1\r\nHost: b\r\n" + (0..<20).map { "X-Filler-\($0): \(String(repeating: "b", count: 1000))\r\n" }.joined() + "\r\n")
        let large = headers.receive()
        #expect(RawSocket.status(large) == 431 && large.contains("\"code\":\"headers_too_large\""), "\(large.prefix(300))")
    }
}

/// A body sent where none is taken (health, reports, static files) is refused from the head:
/// it reserves nothing and is never buffered.
@Suite struct BodylessRouteTests {
    @Test func bodiesOnRoutesThatTakeNoneAreRefusedUnread() throws {
        let live = try LiveServer(app: TestApp(), maximumBodyBytes: 512 * 1024, maximumBodyBytesInFlight: 1024 * 1024)
        // (This server has no web folder: a page is a 404, also answered from the head.)
        for (target, key, status) in [("/healthz", nil, 400), ("/v1/spend", live.app.viewerKey, 400), ("/index.html", nil, 404)]
            as [(String, String?, Int)] {
            let socket = try live.socket()
            var head = "GET \(target) HTTP/1.1\r\nHost: b\r\nContent-Length: 400000\r\n"
            if let key { head += "Authorization: Bearer \(key)\r\n" }
            socket.send(head + "Expect: 100-continue\r\n\r\n")
            let answer = socket.receive(seconds: 3)
            #expect(RawSocket.status(answer) == status && answer.contains("\"error\""), "\(target): \(answer.prefix(200))")
            #expect(status != 400 || answer.contains("body_not_allowed"))
        }
        // Held open without Expect, such bodies take none of the shared budget.
        let holders = try (0..<4).map { _ in try live.socket() }
        for holder in holders {
            holder.send("GET /healthz HTTP/1.1\r\nHost: b\r\nContent-Length: 400000\r\n\r\n")
            holder.send(String(repeating: " ", count: 1000))
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(live.server.bodyBytesReserved == 0)
        // The heads had been read: once their bodies are all sent, each is answered 400.
        for holder in holders {
            holder.send(String(repeating: " ", count: 399_000))
            #expect(RawSocket.status(holder.receive(seconds: 10)) == 400)
        }
        let reply = try live.connection().send("POST", "/v1/events", headers: [
            "Authorization": "Bearer \(live.app.routerKey)", "Content-Type": "application/json"],
            body: JSONValue.array([EventJSON.event("still")]).serialized())
        #expect(reply.status == 200)
    }
}
