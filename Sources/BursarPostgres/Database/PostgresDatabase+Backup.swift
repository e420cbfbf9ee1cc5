import BursarStorage
import Foundation

extension PostgresDatabase {
    /// A consistent copy of the whole database at `path`, taken while ingest goes on: `pg_dump`
    /// in its custom format (one snapshot), restored with `pg_restore`.
    public func backup(to path: String) throws {
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The password goes in the environment, not in arguments every local user can list.
        let (url, password) = PostgresConnection.separatingPassword(pool.url)
        dump.arguments = ["pg_dump", "--format=custom", "--no-owner", "--file=\(path)", "--dbname=\(url)"]
        if let password {
            dump.environment = ProcessInfo.processInfo.environment.merging(["PGPASSWORD": password]) { $1 }
        }
        let errors = Pipe()
        dump.standardError = errors
        dump.standardOutput = FileHandle.nullDevice
        do {
            try dump.run()
        } catch {
            throw PostgresError(.statement, "cannot run pg_dump (install PostgreSQL's client programs): \(error)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        dump.waitUntilExit()
        guard dump.terminationStatus == 0 else {
            throw PostgresError(.statement, "pg_dump of \(redactedURL) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
