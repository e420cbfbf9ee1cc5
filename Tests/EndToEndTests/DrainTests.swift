import BursarTesting
import Foundation
import HTTPToolkit
import MicroHTTPDServer
import Synchronization
import Testing

/// Stopping while clients keep connecting. libmicrohttpd's `MHD_quiesce_daemon` on an epoll
/// thread pool races its own worker threads for the listening socket and aborts the process
/// ("Failed to remove listen FD from epoll set"): CI caught `bursar serve` dying with
/// status 6 on SIGTERM. The drain must never take that path.
@Suite struct DrainTests {
    struct Answering: Responder {
        func respond(to request: Request) -> Reply { .response(Response(status: 204)) }
    }

    @Test func drainingWhileClientsConnectNeverAborts() throws {
        for _ in 0..<300 {
            var configuration = MicroHTTPDServer.Configuration()
            configuration.port = 0
            configuration.threads = 4
            configuration.accessLog = false
            let server = MicroHTTPDServer(configuration: configuration, responder: Answering(), logger: .forTests)
            let port = try server.start()
            let stop = Atomic<Bool>(false)
            let connected = Atomic<Int>(0)
            let done = DispatchGroup()
            for _ in 0..<2 {
                done.enter()
                Thread.detachNewThread {
                    while !stop.load(ordering: .relaxed) {
                        if let socket = try? RawSocket(port: port) {
                            _ = socket.send("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                            _ = socket.receiveUntilClosed(within: 2)
                            connected.add(1, ordering: .relaxed)
                        }
                    }
                    done.leave()
                }
            }
            while connected.load(ordering: .relaxed) < 2 { Thread.sleep(forTimeInterval: 0.0005) }
            server.drain(timeout: .seconds(5))
            stop.store(true, ordering: .relaxed)
            done.wait()
        }
    }

    @Test func aConnectionOpenedDuringTheDrainIsClosedUnanswered() throws {
        var configuration = MicroHTTPDServer.Configuration()
        configuration.port = 0
        configuration.accessLog = false
        let receiver = RecordingReceiver(hangs: true)
        let server = MicroHTTPDServer(configuration: configuration, responder: receiver, logger: .forTests)
        let port = try server.start()
        let held = try RawSocket(port: port)
        _ = held.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        while receiver.held.withLock({ $0.count }) == 0 { Thread.sleep(forTimeInterval: 0.001) }
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            server.drain(timeout: .seconds(20))
            drained.signal()
        }
        while !server.isDraining { Thread.sleep(forTimeInterval: 0.001) }
        // A new connection is closed at once, unanswered, while the drain waits for the held one
        // (a load balancer moves on at once).
        let late = try RawSocket(port: port)
        _ = late.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        let reply = late.receiveUntilClosed(within: 5)
        #expect(reply.closed && reply.text.isEmpty, "\(reply)")
        receiver.release()
        #expect(drained.wait(timeout: .now() + 20) == .success)
        #expect(held.receiveUntilClosed(within: 5).text.hasPrefix("HTTP/1.1 204"))
    }
}
