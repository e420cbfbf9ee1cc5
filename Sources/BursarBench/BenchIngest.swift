import ArgumentParser
import BursarClient
import BursarHTTPClient
import BursarCore
import BursarDemo
import Foundation
import Synchronization

extension BursarBench {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "POST batches over HTTP from several connections; print events/s.")

        @Option(help: "A server to send to (repeatable: connections are spread over replicas).")
        var url: [String] = ["http://127.0.0.1:8080"]
        @Option var key: String
        @Option var events = 400_000
        @Option var batchSize = 100
        @Option var connections = 8
        @Option var seed: UInt64 = 7

        func run() throws {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let corpus = BenchCorpus.events(count: events, users: 10_000, now: now, seed: seed, source: "bench-\(seed)")
            let bodies: [[UInt8]] = stride(from: 0, to: corpus.count, by: batchSize).map { start in
                JSONValue.array(corpus[start..<min(start + batchSize, corpus.count)].map(\.json)).serialized()
            }
            let next = Atomic<Int>(0)
            let failures = Atomic<Int>(0)
            let accepted = Atomic<Int>(0)
            let started = ContinuousClock.now
            let finished = DispatchGroup()
            for index in 0..<connections {
              finished.enter()
              let target = url[index % url.count]
              Thread.detachNewThread {
                defer { finished.leave() }
                let connection = HTTPConnection(url: target)!
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < bodies.count else { return }
                    while true {
                        guard let reply = try? connection.send("POST", "/v1/events", headers: [
                            "Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: bodies[index])
                        else { failures.add(1, ordering: .relaxed); connection.close(); continue }
                        if reply.status == 503 { failures.add(1, ordering: .relaxed); usleep(10_000); continue }
                        accepted.add(DemoTraffic.count("accepted", in: reply.text), ordering: .relaxed)
                        break
                    }
                }
              }
            }
            finished.wait()
            let seconds = Self.seconds(ContinuousClock.now - started)
            print("ingest_events_per_second \(Int(Double(accepted.load(ordering: .relaxed)) / seconds))")
            print("ingest_accepted \(accepted.load(ordering: .relaxed)) retries \(failures.load(ordering: .relaxed)) seconds \(String(format: "%.2f", seconds))")
            // A rate of events the server refused measures nothing: say so and fail.
            guard accepted.load(ordering: .relaxed) == corpus.count else {
                throw ValidationError("the server accepted \(accepted.load(ordering: .relaxed)) of \(corpus.count) events; "
                                      + "may the key write source bench-\(seed)?")
            }
        }

        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }

    struct Insert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raw SQLite insert of the same rows in one transaction; print rows/s.")

        @Option var db: String
        @Option var events = 400_000
        @Option var prices = "policies/prices.yaml"
        @Option var seed: UInt64 = 7

        func run() throws {
            let priced = try BenchCorpus.priced(count: events, seed: seed, pricesFile: prices)
            let database = try SQLiteDatabase(path: db)
            print("raw_insert_rows_per_second \(try BenchCorpus.rate { try database.insertEventsOnly(priced) })")
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raw PostgreSQL COPY of the same rows in one transaction; print rows/s.")

        @Option(help: "The PostgreSQL database (postgres://...).") var database: String
        @Option var events = 400_000
        @Option var prices = "policies/prices.yaml"
        @Option var seed: UInt64 = 7

        func run() throws {
            let priced = try BenchCorpus.priced(count: events, seed: seed, pricesFile: prices)
            let target = try PostgresDatabase(url: database)
            print("raw_copy_rows_per_second \(try BenchCorpus.rate { try target.copyEventsOnly(priced) })")
        }
    }
}

import BursarPostgres
import BursarSQLite
import BursarStorage
import BursarServices
