import Locking
import BursarClient
import BursarHTTPClient
import BursarCore
import BursarTesting
import Foundation
import GRDB
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// More than Bursar can take: slow clients, a flood past the writer's capacity.
@Suite(.serialized) struct OverloadTests {
    static func residentMiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// A raw socket that sends `bytes` and nothing more.
    static func dribble(port: UInt16, _ bytes: String) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        _ = bytes.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        return fd
    }

    @Test func slowClientsAreCutOffByTheTimeoutAndTheLimit() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        _ = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database, extraArguments: ["--connection-timeout", "2", "--connection-limit", "40"])
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        // Sixty clients each send half a request line and then wait, as a slowloris would.
        let slow = (0..<60).map { _ in Self.dribble(port: server.port, "GET /healthz HT") }
        func closedBy(_ seconds: Int) -> Int {
            slow.filter { fd in
                var byte: UInt8 = 0
                var timeout = timeval(tv_sec: seconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return recv(fd, &byte, 1, Int32(MSG_PEEK)) == 0
            }.count
        }
        // The server holds at most 40; the others wait in the kernel's listen backlog and are
        // taken (and timed out in turn) as slots free. Within two timeouts every one is gone.
        Thread.sleep(forTimeInterval: 3)
        #expect(closedBy(3) == 60, "every slow client was disconnected")
        slow.forEach { close($0) }
        #expect(try HTTPConnection(host: "127.0.0.1", port: server.port).send("GET", "/healthz").status == 200)
    }

    @Test func aFloodGets503WithRetryAfterWhileHealthAndBundlesAnswerAndMemoryStaysBounded() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database, extraArguments: ["--queue-limit", "1000"])
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        let port = server.port
        let stop = Atomic<Bool>(false)
        let statuses = Locked<[Int: Int]>([:])
        let retryAfter = Locked<Set<String>>([])
        let time = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 1000)
        let floods = (0..<32).map { client in
            Thread {
                let connection = HTTPConnection(host: "127.0.0.1", port: port)
                // New events each time (the writer must do real work), built from bytes so that
                // the client spends next to no time on them.
                let head = Array(#"{"id":""#.utf8)
                let tail = Array(#"","time":"\#(time)","provider":"openai","model":"gpt-4o-mini","tier":"standard","input_tokens":100,"output_tokens":20,"user":"u\#(client)"}"#.utf8)
                var batch = 0
                while !stop.load(ordering: .relaxed) {
                    batch += 1
                    var body: [UInt8] = [UInt8(ascii: "[")]
                    body.reserveCapacity(1000 * (head.count + tail.count + 16))
                    for index in 0..<1000 {
                        if index > 0 { body.append(UInt8(ascii: ",")) }
                        body += head
                        body += Array("f\(client)-\(batch)-\(index)".utf8)
                        body += tail
                    }
                    body.append(UInt8(ascii: "]"))
                    guard let reply = try? connection.send("POST", "/v1/events", headers: [
                        "Authorization": "Bearer \(keys.router)", "Content-Type": "application/json"], body: body) else { continue }
                    statuses.withLock { $0[reply.status, default: 0] += 1 }
                    if reply.status == 503, let after = reply.headers["retry-after"] { retryAfter.withLock { _ = $0.insert(after) } }
                    // Not the whole Retry-After (the flood goes on), but enough that 32 threads
                    // answered at once do not take the probes' CPU.
                    if reply.status == 503 { Thread.sleep(forTimeInterval: 0.25) }
                }
            }
        }
        floods.forEach { $0.start() }
        // The writer is held behind another connection's write lock (as a slow disk or a backup
        // would) until the queue fills and the flood gets 503s: however fast this machine
        // commits, the queue is outrun. The writer waits (busy timeout 5 s) and then goes on.
        let holder = Thread {
            do {
                var configuration = Configuration()
                configuration.busyMode = .timeout(10)
                let blocker = try DatabaseQueue(path: database, configuration: configuration)
                try blocker.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    let until = Date().addingTimeInterval(4)
                    while statuses.withLock({ $0[503] ?? 0 }) == 0, Date() < until { Thread.sleep(forTimeInterval: 0.01) }
                    try db.execute(sql: "COMMIT")
                }
            } catch {
                Issue.record("could not hold the write lock: \(error)")
            }
        }
        while statuses.withLock({ $0[200] ?? 0 }) == 0, !stop.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.01) }
        holder.start()
        var peak = 0
        var slowest = 0.0
        // Health and bundle must keep answering (every probe a 200); how fast is printed, not asserted.
        let probe = HTTPConnection(host: "127.0.0.1", port: port)
        let deadline = Date().addingTimeInterval(6)
        var probes = 0
        // Six seconds: the writer held, then free again.
        while Date() < deadline {
            peak = max(peak, Self.residentMiB(server.process.processIdentifier))
            let started = Date()
            #expect(try probe.send("GET", "/healthz").status == 200)
            #expect(try probe.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)"]).status == 200)
            slowest = max(slowest, Date().timeIntervalSince(started))
            probes += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop.store(true, ordering: .relaxed)
        Thread.sleep(forTimeInterval: 1)
        let seen = statuses.withLock { $0 }
        #expect((seen[503] ?? 0) > 0, "the flood outran the writer: \(seen)")
        #expect((seen[200] ?? 0) > 0)
        #expect(Set(seen.keys).isSubset(of: [200, 503]), "\(seen)")
        #expect(!retryAfter.withLock { $0 }.isEmpty, "503s say when to retry")
        #expect(peak < 400, "resident memory peaked at \(peak) MiB")
        print("flood: \(seen), peak RSS \(peak) MiB, slowest probe \(String(format: "%.3f", slowest)) s over \(probes) probes")
    }
}
