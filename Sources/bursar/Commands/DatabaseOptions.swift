import ArgumentParser
import BursarSQLite
import BursarStorage
import BursarServices

/// `--db`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Path of the SQLite database.")
    var db = "./var/bursar.db"

    @Option(help: "Commit durability: full (survives power loss) or normal (survives a crash).")
    var durability: BursarDatabase.Durability = .full

    func open(maximumBytes: Int64? = nil) throws -> BursarDatabase {
        try BursarDatabase(path: db, durability: durability, maximumBytes: maximumBytes)
    }
}

extension BursarDatabase.Durability: ExpressibleByArgument {}
