import ArgumentParser
import Foundation

extension Bursar {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or upgrade the database's schema (serve does it too; run this to upgrade before starting replicas).")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.open()
            Output.line("the schema of \(opened.location) is current")
        }
    }
}
