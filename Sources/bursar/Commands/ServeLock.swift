import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `bursar serve` per database: an exclusive `flock` on `<db>.lock`, holding the
/// server's pid, kept for the life of the process (the kernel drops it if the process dies).
enum ServeLock {
    /// The exit status when the database is in use (EX_TEMPFAIL: try again later).
    static let busyExitCode: Int32 = 75

    /// Takes the lock or stops the command with a message naming who holds it.
    static func acquire(database: String) throws -> Int32 {
        let path = database + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            Output.error("the database \(database) is in use by another bursar serve\(holder.isEmpty ? "" : " (pid \(holder))"); stop it or pass another --db")
            throw ExitCode(busyExitCode)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return descriptor
    }

    /// Turns SQLite's "database is locked" at start into a message and the busy exit status.
    static func explain(_ error: any Error, database: String) -> any Error {
        let text = "\(error)"
        guard text.contains("database is locked") || text.contains("SQLite error 5") || text.contains("SQLite error 6") else { return error }
        Output.error("the database \(database) is locked by another process (a tool holding a write transaction?); it stayed locked for 5 seconds, so Bursar did not start")
        return ExitCode(busyExitCode)
    }
}
