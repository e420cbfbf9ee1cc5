import ArgumentParser
import BursarClient
import BursarHTTPClient
import BursarCore
import BursarDemo
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation
import Logging

extension BursarBench {
    struct Seed: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fill a database through the ingest writer (no HTTP).")

        @Option var db: String
        @Option var events = 1_000_000
        @Option var users = 10_000
        @Option var days = 90
        @Option var prices = "policies/prices.yaml"
        @Option var seed: UInt64 = 11
        @Option var chunk = 20_000
        @Option var durability: SQLiteDatabase.Durability = .normal

        func run() throws {
            let database = try SQLiteDatabase(path: db, durability: durability)
            let logger = Logger(label: "bursar-bench")
            // The write-ahead log checkpointed as the server does it.
            try database.startBackground(logger: logger)
            defer { database.stopBackground() }
            let writer = IngestWriter(database: database, logger: logger)
            writer.start()
            let costing = try BenchCorpus.costing(pricesFile: prices)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let from = now - Int64(days) * UTC.millisPerDay
            let chunks = max(1, (events + chunk - 1) / chunk)
            let slice = (now - 60_000 - from) / Int64(chunks)
            let started = ContinuousClock.now
            var sent = 0
            for index in 0..<chunks where sent < events {
                // Time-ordered, as routers ship live traffic: each chunk covers the next slice of the range.
                let start = from + Int64(index) * slice
                var generator = TrafficGenerator(source: "seed", users: users, from: start, to: start + slice,
                                                 seed: seed &* 1_000_000 &+ UInt64(index))
                var batch: [PricedEvent] = []
                batch.reserveCapacity(chunk)
                while batch.count < min(chunk, events - sent) {
                    for event in generator.nextRequest() where batch.count < min(chunk, events - sent) {
                        batch.append(PricedEvent(event: event, cost: try costing.cost(of: event)))
                    }
                }
                sent += batch.count
                // The writer commits this chunk while the next one is generated.
                while true {
                    do {
                        try writer.submit(batch) { result in
                            if case .failure(let error) = result { fatalError("seeding failed: \(error)") }
                        }
                        break
                    } catch .overloaded {
                        Thread.sleep(forTimeInterval: 0.01)
                    }
                }
            }
            writer.close()
            print("seeded \(sent) events, \(Int(Double(sent) / Ingest.seconds(ContinuousClock.now - started))) events/s")
        }
    }

    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time spend queries over HTTP; print p50/p95 in ms.")

        @Option var url = "http://127.0.0.1:8080"
        @Option var key: String
        @Option var runs = 40
        @Option var label = ""

        func run() throws {
            let connection = HTTPConnection(url: url)!
            let monthStart = Timestamp.format(UTC.monthStart(Int64(Date().timeIntervalSince1970 * 1000)))
            let targets = [
                ("summary_30d", "/v1/spend/summary"),
                ("group_by_user_30d", "/v1/spend?group_by=user&limit=100"),
                ("group_by_user_month_to_date", "/v1/spend?group_by=user&limit=100&from=\(monthStart)"),
                ("frontier_top_users_30d", "/v1/spend?group_by=user&tier=frontier&limit=20"),
                ("group_by_feature_model_30d", "/v1/spend?group_by=feature,model&limit=100"),
                ("by_day_30d", "/v1/spend?interval=day&group_by=tier"),
            ]
            for (name, target) in targets {
                var timings: [Double] = []
                for _ in 0..<runs {
                    let started = ContinuousClock.now
                    let reply = try connection.send("GET", target, headers: ["Authorization": "Bearer \(key)"])
                    guard reply.status == 200 else { throw ValidationError("\(target) answered \(reply.status): \(reply.text)") }
                    timings.append(Ingest.seconds(ContinuousClock.now - started) * 1000)
                }
                timings.sort()
                let p50 = timings[timings.count / 2]
                let p95 = timings[min(timings.count - 1, Int(Double(timings.count) * 0.95))]
                print("query \(label) \(name) p50_ms \(String(format: "%.1f", p50)) p95_ms \(String(format: "%.1f", p95))")
            }
        }
    }
}

extension SQLiteDatabase.Durability: ExpressibleByArgument {}
