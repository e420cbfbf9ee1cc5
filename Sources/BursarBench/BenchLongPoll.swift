import ArgumentParser
import BursarClient
import BursarHTTPClient
import Foundation

extension BursarBench {
    struct LongPoll: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hold N bundle long polls open; print the server's RSS meanwhile.")

        @Option var url = "http://127.0.0.1:8080"
        @Option var key: String
        @Option var connections = 5000
        @Option(help: "The server's process id, to read its resident memory.") var pid: Int32

        func run() throws {
            let first = try HTTPConnection(url: url)!.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)"])
            guard let etag = first.headers["etag"] else { throw ValidationError("no ETag from /v1/bundle") }
            let before = Self.residentKiB(pid)
            var polls: [HTTPConnection] = []
            for _ in 0..<connections {
                let poll = HTTPConnection(url: url)!
                try poll.begin("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)", "If-None-Match": etag, "Prefer": "wait=60"])
                polls.append(poll)
            }
            Thread.sleep(forTimeInterval: 2)
            let held = Self.residentKiB(pid)
            print("longpoll_held \(polls.count) rss_before_mib \(before / 1024) rss_held_mib \(held / 1024)")
            polls.forEach { $0.close() }
        }

        static func residentKiB(_ pid: Int32) -> Int {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
    }
}
