import Locking
import BursarCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests: `initdb` in a temporary directory and a server
/// that listens only on a Unix socket there (no TCP port to collide on), run as the `postgres`
/// user when the tests run as root (PostgreSQL refuses root). One per test process, made on
/// first use; stopped and deleted when the process exits. Each test takes a database of its own.
public final class PostgresCluster: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: String
    private let binaries: String
    private let databases = Locked(0)
    private static let shared = Locked<PostgresCluster?>(nil)

    /// The process's cluster, started on first use.
    public static func started() throws -> PostgresCluster {
        try shared.withLock { cluster in
            if let cluster { return cluster }
            let started = try PostgresCluster()
            cluster = started
            atexit { PostgresCluster.stopShared() }
            return started
        }
    }

    /// A cluster of the caller's own (for tests that stop and start the server), stopped and
    /// deleted by `remove()`.
    public static func dedicated() throws -> PostgresCluster {
        try PostgresCluster()
    }

    /// Stops the server and deletes its files.
    public func remove() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func stopShared() {
        shared.withLock { cluster in
            guard let stopping = cluster else { return }
            stopping.stop()
            try? FileManager.default.removeItem(atPath: stopping.directory)
            cluster = nil
        }
    }

    private init() throws {
        guard let binaries = Self.binaries() else {
            throw Failure(description: "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin; make test installs it)")
        }
        self.binaries = binaries
        directory = NSTemporaryDirectory() + "bursar-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The postgres user must be able to write its data and socket there.
        chmod(directory, 0o777)
        try run("initdb", ["-D", directory + "/data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
        try start()
    }

    /// Starts the server (again, after `stop`), listening only on its socket.
    public func start() throws {
        try run("pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start",
                           "-o", "-c listen_addresses='' -k '\(directory)' -c unix_socket_permissions=0700 -c fsync=on -c synchronous_commit=on -c max_connections=200"])
    }

    /// Stops the server: `immediately` is PostgreSQL's pulled plug (recovery replays the log on
    /// the next start); otherwise a clean shutdown that ends open sessions.
    public func stop(immediately: Bool = false) {
        _ = try? run("pg_ctl", ["-D", directory + "/data", "-m", immediately ? "immediate" : "fast", "-w", "stop"])
    }

    /// A new, empty database in the cluster; its URL.
    public func createDatabase() throws -> String {
        let name = "test_\(databases.withLock { $0 += 1; return $0 })_\(UUID().uuidString.prefix(8).lowercased())"
        try run("createdb", ["-h", directory, "-U", "postgres", name])
        return url(database: name)
    }

    /// A new database holding what the `pg_dump` archive at `path` holds; its URL.
    public func restore(_ path: String) throws -> String {
        let url = try createDatabase()
        // Read on its standard input, opened before it becomes `postgres`: a backup is 0600 and root's.
        try run("pg_restore", ["--no-owner", "--dbname=\(url)"], input: path)
        return url
    }

    /// The URL of `database` over the cluster's socket.
    public func url(database: String = "postgres") -> String {
        "postgresql:///\(database)?host=\(directory)&user=postgres"
    }

    /// The newest installed PostgreSQL's server programs.
    static func binaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).max().map { "\(root)/\($0)/bin" }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") ? $0 : nil }
    }

    /// Runs one of PostgreSQL's programs (as `postgres` when this process is root), its output
    /// appended to the cluster's log: never a pipe, which the server it starts would hold open.
    /// Spawned and reaped directly (Foundation's `Process` was seen never to notice `pg_ctl`'s
    /// exit once it had started the server).
    private func run(_ program: String, _ arguments: [String], input: String = "/dev/null") throws {
        let command = [binaries + "/" + program] + arguments
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + command : command
        let log = directory + "/commands.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o666)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var waited: pid_t
        repeat { waited = waitpid(pid, &status, 0) } while waited < 0 && errno == EINTR
        guard waited == pid else { throw Failure(description: "lost track of \(program) (waitpid: \(String(cString: strerror(errno))))") }
        // Exited normally with 0 (WIFEXITED and WEXITSTATUS spelled out: the macros are not imported).
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(8).joined(separator: "\n") ?? ""
            throw Failure(description: "\(program) \(arguments.joined(separator: " ")) failed (status \(status)):\n\(tail)")
        }
    }
}
