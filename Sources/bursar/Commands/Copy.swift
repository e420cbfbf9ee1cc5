import ArgumentParser
import BursarCore
import BursarPostgres
import BursarServices
import BursarSQLite
import BursarStorage
import Foundation

extension Bursar {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite database into an empty PostgreSQL one (events, rollups, keys, prices, policies, budgets, audit…) and verify it.",
            discussion: "Reads one snapshot of the SQLite file (a running server may go on writing), writes everything in one PostgreSQL transaction, then compares every table's row count and the spend totals. The bundle signing key beside the file goes along, so routers keep trusting the bundle.")

        @Option(help: "The SQLite database to copy.")
        var from: String

        @Option(help: "The PostgreSQL database to fill (postgres://user@host:port/dbname); it must hold nothing yet.")
        var to: String

        func validate() throws {
            guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else { throw ValidationError("--to takes a postgres:// URL") }
            guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no database at \(from)") }
        }

        func run() throws {
            let source = try BursarDatabase(path: from, durability: .normal)
            let target = try PostgresDatabase(url: to)
            guard try target.isEmpty() else {
                throw ValidationError("\(target.redactedURL) already holds data; copy into an empty database")
            }
            let started = Date()
            var counts: [String: Int] = [:]
            var progress = CopyProgress(total: 0)
            try target.importing { copy in
                try source.exportTables(BursarDatabase.copiedTables, batchSize: 20_000, counted: { tableCounts in
                    counts = tableCounts
                    progress = CopyProgress(total: tableCounts.values.reduce(0, +))
                }) { table, columns, rows in
                    try copy.add(rows, into: table, columns: columns)
                    progress.advance(rows.count, table: table)
                }
            }
            progress.finish()
            try verify(source: source, target: target, counts: counts)
            if let key = FileManager.default.contents(atPath: from + ".signing-key") {
                _ = try target.setting("bundle_signing_key", orInsert: String(decoding: key, as: UTF8.self))
            }
            let rows = counts.values.reduce(0, +)
            Output.line("copied \(rows) rows from \(from) to \(target.redactedURL) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; row counts and spend totals match")
        }

        /// Every table's row count, and the spend of all time (from the rollups), on both sides.
        private func verify(source: BursarDatabase, target: PostgresDatabase, counts: [String: Int]) throws {
            for table in BursarDatabase.copiedTables {
                let copied = try target.rowCount(table)
                guard copied == counts[table] else {
                    throw ValidationError("\(table): \(counts[table] ?? 0) rows in \(from) but \(copied) in the copy")
                }
            }
            let allTime = SpendQuery(from: UTC.monthStart(0), to: UTC.monthStart(4_102_444_800_000))
            let (before, after) = (try source.spend(allTime).total, try target.spend(allTime).total)
            guard before == after else { throw ValidationError("spend totals differ after the copy: \(before) vs \(after)") }
            let problems = try target.rollupDiscrepancies()
            // Retention may have deleted raw events whose spend the rollups keep: only a copy of a
            // database whose rollups matched its events must match them after.
            if try source.rollupDiscrepancies().isEmpty, !problems.isEmpty {
                throw ValidationError("the copied rollups disagree with the copied events: \(problems.joined(separator: "; "))")
            }
        }
    }
}

/// Rows copied so far, shown on a terminal as one line rewritten in place (rows, rate, time left).
struct CopyProgress {
    let total: Int
    private var done = 0
    private let started = Date()
    private var shown = Date.distantPast
    private let terminal = isatty(STDERR_FILENO) == 1

    init(total: Int) {
        self.total = total
    }

    mutating func advance(_ rows: Int, table: String) {
        done += rows
        guard terminal, Date().timeIntervalSince(shown) >= 0.2 else { return }
        shown = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\rcopying %@: %d of %d rows, %.0f rows/s, %.0f s left   ", table, done, total, rate, left)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
