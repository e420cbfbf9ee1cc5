import ArgumentParser
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation

extension Bursar {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the database, consistently and online, while Bursar runs (SQLite's backup API; pg_dump's custom format for PostgreSQL).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The file to write (replaced if it exists).")
        var to: String

        func run() throws {
            if database.postgresURL == nil, !FileManager.default.fileExists(atPath: database.sqlitePath) {
                throw ValidationError("no database at \(database.sqlitePath)")
            }
            if FileManager.default.fileExists(atPath: to) { try FileManager.default.removeItem(atPath: to) }
            let started = Date()
            let opened = try database.open()
            var progress = TerminalProgress(total: 0, unit: .bytes)
            try opened.storage.backup(to: to) { step in
                progress.total = step.total
                progress.update(done: step.done, doing: "backing up", totalIsEstimate: step.isEstimate)
            }
            progress.finish()
            let size = (try FileManager.default.attributesOfItem(atPath: to)[.size] as? NSNumber)?.intValue ?? 0
            Output.line("backed up \(opened.location) to \(to): \(size / 1024) KiB in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
