import ArgumentParser
import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation

extension Role: ExpressibleByArgument {}

extension Bursar {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage API keys.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a key and print it (only the key, on stdout).")

            @OptionGroup var database: DatabaseOptions
            @Option(help: "router, viewer or admin.") var role: Role
            @Option(help: "A unique name; events from a router key default to it as their source.") var name: String
            @Option(help: "The sources its events may name: names and prefixes ending in * (a,b,eu-router-*; * for all). Default: its name.")
            var sources: String?

            func validate() throws {
                if let sources, SourceGrant(parsing: sources) == nil {
                    throw ValidationError(KeyError.invalidSources(sources).description)
                }
            }

            func run() throws {
                print(try database.openStorage().createKey(name: name, role: role, sources: sources.flatMap { SourceGrant(parsing: $0) }))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List keys (names and roles; secrets are never stored).")

            @OptionGroup var database: DatabaseOptions

            func run() throws {
                for key in try database.openStorage().listKeys() {
                    let state = key.revokedAt.map { "revoked \(Timestamp.format($0))" } ?? "active"
                    print("\(key.name)\t\(key.role.rawValue)\tsources \(key.sources.text)\tcreated \(Timestamp.format(key.createdAt))\t\(state)")
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke the active key with this name.")

            @OptionGroup var database: DatabaseOptions
            @Argument var name: String

            func run() throws {
                try database.openStorage().revokeKey(name: name)
                print("revoked \(name)")
            }
        }
    }
}
