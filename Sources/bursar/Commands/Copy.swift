import ArgumentParser
import BursarCore
import BursarPostgres
import BursarServices
import BursarSQLite
import BursarStorage
import Foundation
import Locking

extension Bursar {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite database into an empty PostgreSQL one (events, rollups, keys, prices, policies, budgets, audit…) and verify it.",
            discussion: "Reads one snapshot of the SQLite file (a running server may go on writing), writes everything in one PostgreSQL transaction, then compares every table's row count and the spend totals. The bundle signing key beside the file goes along, so routers keep trusting the bundle.")

        @Option(help: "The SQLite database to copy.")
        var from: String

        @Option(help: "The PostgreSQL database to fill (postgres://user@host:port/dbname; default: BURSAR_DATABASE, which keeps a password out of the process list); it must hold nothing yet.")
        var to: String?

        /// `--to`, or the environment's URL.
        var targetURL: String { to ?? ProcessInfo.processInfo.environment["BURSAR_DATABASE"] ?? "" }

        func validate() throws {
            guard targetURL.hasPrefix("postgres://") || targetURL.hasPrefix("postgresql://") else {
                throw ValidationError("--to (or BURSAR_DATABASE) takes a postgres:// URL")
            }
            guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no database at \(from)") }
        }

        func run() throws {
            let source = try SQLiteDatabase(readingOnly: from)
            let target = try PostgresDatabase(url: targetURL)
            guard try target.isEmpty() else {
                throw ValidationError("\(target.redactedURL) already holds data; copy into an empty database")
            }
            let started = Date()
            var counts: [String: Int] = [:]
            var spent = RollupMetrics()
            var progress = TerminalProgress(total: 0, unit: .rows)
            // The bundle signing key beside the file goes along (routers pinned it), in the same transaction.
            let signingKey = FileManager.default.contents(atPath: from + ".signing-key").map { String(decoding: $0, as: UTF8.self) }
            // One thread reads the snapshot while this one writes what it read before.
            let handoff = BatchHandoff<ExportedRows>(capacity: 4)
            let reader = Thread {
                do {
                    try source.exportTables(SQLiteDatabase.copiedTables, batchSize: 20_000, spending: Self.allTime, counted: { tableCounts, total in
                        try handoff.put(ExportedRows(counts: tableCounts, spent: total))
                    }) { table, columns, rows in
                        try handoff.put(ExportedRows(table: table, columns: columns, rows: rows))
                    }
                    handoff.finish()
                } catch {
                    handoff.finish(throwing: error)
                }
            }
            reader.start()
            defer { handoff.cancel() }
            try target.importing { copy in
                while let batch = try handoff.take() {
                    if let tableCounts = batch.counts {
                        counts = tableCounts
                        spent = batch.spent
                        progress = TerminalProgress(total: tableCounts.values.reduce(0, +), unit: .rows)
                        continue
                    }
                    try copy.add(batch.rows, into: batch.table, columns: batch.columns)
                    progress.advance(by: batch.rows.count, doing: "copying " + batch.table)
                }
                if let signingKey { try copy.add([[.text("bundle_signing_key"), .text(signingKey)]], into: "settings", columns: ["name", "value"]) }
            }
            progress.finish()
            if signingKey != nil { counts["settings", default: 0] += 1 }
            try verify(source: source, target: target, counts: counts, spent: spent)
            // Statistics for the planner now, not when autovacuum comes round to the new tables.
            try target.analyze()
            let rows = counts.values.reduce(0, +)
            Output.line("copied \(rows) rows from \(from) to \(target.redactedURL) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; row counts and spend totals match")
        }

        /// All of time that rollups can hold.
        static let allTime = SpendQuery(from: UTC.monthStart(0), to: UTC.monthStart(4_102_444_800_000))

        /// Every table's row count, and the spend of all time (from the rollups, in the snapshot
        /// copied), against the copy.
        private func verify(source: SQLiteDatabase, target: PostgresDatabase, counts: [String: Int], spent: RollupMetrics) throws {
            for table in SQLiteDatabase.copiedTables {
                let copied = try target.rowCount(table)
                guard copied == counts[table] else {
                    throw ValidationError("\(table): \(counts[table] ?? 0) rows in \(from) but \(copied) in the copy")
                }
            }
            let after = try target.spend(Self.allTime).total
            guard spent == after else { throw ValidationError("spend totals differ after the copy: \(spent) vs \(after)") }
            // Both recomputations at once (each reads every event): the source's on a thread.
            let sourceProblems = Locked<Result<[String], any Error>>(.success([]))
            let sourceAudit = DispatchGroup()
            DispatchQueue.global().async(group: sourceAudit) { sourceProblems.withLock { $0 = Result { try source.rollupDiscrepancies() } } }
            let audited = Result { try target.rollupDiscrepancies() }
            sourceAudit.wait()
            let problems = try audited.get()
            // Retention may have deleted raw events whose spend the rollups keep: only a copy of a
            // database whose rollups matched its events must match them after.
            if try sourceProblems.withLock({ $0 }).get().isEmpty, !problems.isEmpty {
                throw ValidationError("the copied rollups disagree with the copied events: \(problems.joined(separator: "; "))")
            }
        }
    }
}

/// What the reading thread hands over: first the snapshot's row counts and spend total, then
/// the tables' rows a batch at a time.
struct ExportedRows: Sendable {
    var table = ""
    var columns: [String] = []
    var rows: [[SQLValue]] = []
    var counts: [String: Int]?
    var spent = RollupMetrics()

    init(counts: [String: Int], spent: RollupMetrics) {
        self.counts = counts
        self.spent = spent
    }

    init(table: String, columns: [String], rows: [[SQLValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
