import BursarStorage
import Foundation
import Locking

extension PostgresDatabase {
    /// A consistent copy of the whole database at `path`, taken while ingest goes on: `pg_dump`
    /// in its custom format (one snapshot), restored with `pg_restore`.
    public func backup(to path: String, progress: (BackupProgress) -> Void) throws {
        // The dump holds the bundle's signing key and every key digest: it is made 0600 before
        // pg_dump writes into it (pg_dump truncates a file it finds and keeps its mode).
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0, fchmod(descriptor, 0o600) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw PostgresError(.statement, "cannot write the backup at \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        let size = try read { connection in try connection.execute("SELECT pg_database_size(current_database())").first?.integer(0) ?? 0 }
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
        // Its messages are read on another thread while this one watches the dump grow.
        let messages = Locked(Data())
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            messages.withLock { $0 = data }
        }
        func written() -> BackupProgress {
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            return BackupProgress(done: bytes, total: Int(size), isEstimate: true)
        }
        while dump.isRunning {
            progress(written())
            Thread.sleep(forTimeInterval: 0.05)
        }
        reading.wait()
        dump.waitUntilExit()
        let message = String(decoding: messages.withLock { $0 }, as: UTF8.self)
        guard dump.terminationStatus == 0 else {
            throw PostgresError(.statement, "pg_dump of \(redactedURL) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        progress(written())
    }
}
