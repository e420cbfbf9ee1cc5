import ArgumentParser
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation

extension Bursar {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the database, consistently and online (SQLite's backup API), while Bursar runs.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The file to write (replaced if it exists).")
        var to: String

        func run() throws {
            guard FileManager.default.fileExists(atPath: database.db) else { throw ValidationError("no database at \(database.db)") }
            if FileManager.default.fileExists(atPath: to) { try FileManager.default.removeItem(atPath: to) }
            let started = Date()
            try database.open().backup(to: to)
            let size = (try FileManager.default.attributesOfItem(atPath: to)[.size] as? NSNumber)?.intValue ?? 0
            Output.line("backed up \(database.db) to \(to): \(size / 1024) KiB in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
