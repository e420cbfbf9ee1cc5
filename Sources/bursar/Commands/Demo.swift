import ArgumentParser
import BursarClient
import BursarCore
import BursarDemo
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
            let now = WallClock.system()
            var generator = TrafficGenerator(source: source, users: users, from: now - Int64(days) * 86_400_000,
                                             to: now - 60_000, seed: seed)
            let tally = try DemoTraffic(url: url, key: key, batchSize: batchSize).send(events, from: &generator)
            print("sent \(tally.sent) events: \(tally.accepted) accepted, \(tally.duplicates) duplicates, \(tally.rejected) rejected")
        }
    }
}
