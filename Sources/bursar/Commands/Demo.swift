import ArgumentParser
import BursarClient
import BursarCore
import BursarHTTPClient
import Foundation

extension Bursar {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send realistic synthetic router traffic through the real HTTP ingest.")

        @Option(help: "Bursar's address.") var url = "http://127.0.0.1:8080"
        @Option(help: "A router or admin key.") var key: String
        @Option(help: "Spread the events over this many days up to now.") var days = 30
        @Option(help: "How many events to send.") var events = 20_000
        @Option(help: "How many distinct users (besides three power users).") var users = 500
        @Option(help: "The events' source (router instance).") var source = "demo-router"
        @Option(help: "Events per batch.") var batchSize = 500
        @Option(help: "Seed, so that a run can be repeated (a repeat is all duplicates).") var seed: UInt64 = 42

        func validate() throws {
            guard WebClient.accepts(url) else { throw ValidationError("--url takes https://HOST[:PORT] or http://HOST[:PORT]") }
            guard days > 0, events > 0, batchSize > 0 else { throw ValidationError("--days, --events and --batch-size must be positive") }
        }

        func run() throws {
            let client = try WebClient()
            let now = WallClock.system()
            var generator = TrafficGenerator(source: source, users: users, from: now - Int64(days) * 86_400_000,
                                             to: now - 60_000, seed: seed)
            var sent = 0, accepted = 0, duplicates = 0, rejected = 0
            var batch: [JSONValue] = []
            func flush() throws {
                guard !batch.isEmpty else { return }
                let reply = try client.send("POST", url + "/v1/events", headers: [
                    "Authorization": "Bearer \(key)", "Content-Type": "application/json",
                ], body: JSONValue.array(batch).serialized(), timeoutSeconds: 60)
                guard reply.status == 200 else { throw ValidationError("Bursar answered \(reply.status): \(reply.text)") }
                accepted += Self.count("accepted", in: reply.text)
                duplicates += Self.count("duplicates", in: reply.text)
                rejected += reply.text.components(separatedBy: "\"index\"").count - 1
                batch.removeAll(keepingCapacity: true)
            }
            while sent < events {
                for event in generator.nextRequest() where sent < events {
                    batch.append(event.json)
                    sent += 1
                    if batch.count == batchSize { try flush() }
                }
            }
            try flush()
            print("sent \(sent) events: \(accepted) accepted, \(duplicates) duplicates, \(rejected) rejected")
        }

        static func count(_ name: String, in text: String) -> Int {
            guard let range = text.range(of: "\"\(name)\":") else { return 0 }
            return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
    }
}
