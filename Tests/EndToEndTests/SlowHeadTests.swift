import BursarTesting
import Foundation
import Testing

/// A client that trickles its request head is closed at the head deadline, however steadily
/// it trickles; and one client address holds at most so many connections.
@Suite struct SlowHeadTests {
    @Test func aTrickledHeadIsClosedAtItsDeadlineWhileWholeHeadsAreServed() throws {
        let live = try LiveServer(app: TestApp(), headDeadline: .seconds(1))
        let slow = try live.socket()
        let head = Array("GET /healthz HTTP/1.1\r\nHost: b\r\nX-Slow: ".utf8)
        var closed = false
        // A byte every 200 ms: libmicrohttpd's idle timeout (10 s here) is never reached.
        for index in 0..<100 where !closed {
            closed = !slow.send([head[index % head.count]]) || slow.closedByServer(within: 0.2)
        }
        #expect(closed, "the trickling connection was closed (within 20 s, its deadline being 1 s)")
        // A connection that sends its head whole, and again after an answer, is served.
        let steady = try live.socket()
        for _ in 0..<2 {
            #expect(steady.send("GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n"))
            #expect(RawSocket.status(steady.receive(seconds: 5)) == 200)
        }
    }

    @Test func oneClientAddressHoldsAtMostItsShareOfConnections() throws {
        let live = try LiveServer(app: TestApp(), connectionsPerClient: 4)
        let held = try (0..<4).map { _ in try live.socket() }
        for socket in held { #expect(socket.send("GET /healthz HTTP/1.1\r\nHost: b\r\n")) }  // heads never finished
        let fifth = try live.socket()
        #expect(fifth.closedByServer(within: 5), "a fifth connection from the same address is closed as it is accepted")
        held[0].send("\r\n")
        #expect(RawSocket.status(held[0].receive(seconds: 5)) == 200, "the connections held are served")
    }
}
