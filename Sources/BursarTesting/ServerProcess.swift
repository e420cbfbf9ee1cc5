import BursarClient
import BursarHTTPClient
import Foundation

/// The real `bursar` executable run as a child process, for crash and shutdown tests.
public final class ServerProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The package's root folder, found from this source file.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built executable (`swift build` puts it here; `make test` builds before testing).
    public static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["BURSAR_EXECUTABLE"] { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".build/debug/bursar")
    }

    public let process = Process()
    public private(set) var port: UInt16 = 0
    /// The line that said where it listens (and on which database).
    public private(set) var startLine = ""
    private let output = Pipe()

    /// Runs `bursar ARGUMENTS` to completion; its exit status and everything it printed.
    public static func outcome(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(executable.path, arguments)
    }

    /// Runs any program to completion from the package root; its exit status and everything
    /// it printed (standard output and error together).
    public static func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs `bursar ARGUMENTS` to completion and returns its standard output.
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "bursar \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts `bursar serve` on a free port and waits until it listens (without the access
    /// log unless `accessLog`: floods would fill the test output).
    /// `unblockedSignals` starts it with no signal blocked, as a shell or a service manager
    /// does (a test's thread blocks most signals, and a child inherits its mask).
    public convenience init(database: String, port: UInt16 = 0, extraArguments: [String] = [], errorLog: URL? = nil,
                            accessLog: Bool = false, unblockedSignals: Bool = false) throws {
        try self.init(arguments: ["serve", "--db", database, "--listen", "127.0.0.1:\(port)"] + (accessLog ? [] : ["--quiet"])
                      + extraArguments, errorLog: errorLog, unblockedSignals: unblockedSignals)
    }

    /// Runs `bursar ARGUMENTS` (a command that prints "listening on http://127.0.0.1:PORT") and
    /// waits until it listens.
    public init(arguments: [String], errorLog: URL? = nil, unblockedSignals: Bool = false) throws {
        if unblockedSignals {
            // perl (in every Debian) clears the mask, then becomes bursar (same process id).
            process.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
            process.arguments = ["-MPOSIX", "-e", "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; exec @ARGV or die",
                                 Self.executable.path] + arguments
        } else {
            process.executableURL = Self.executable
            process.arguments = arguments
        }
        if let errorLog {
            _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errorLog)
        }
        process.currentDirectoryURL = Self.packageRoot
        process.standardOutput = output
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            // The whole line: where it listens, then what it says of its database.
            guard let start = text.range(of: "listening on http"), let end = text[start.upperBound...].firstIndex(of: "\n") else { continue }
            if let range = text.range(of: "://127.0.0.1:", range: start.upperBound..<end),
               let port = UInt16(text[range.upperBound...].prefix { $0.isNumber }) {
                self.port = port
                startLine = String(text[start.lowerBound..<end])
                return
            }
        }
        process.terminate()
        throw Failure(description: "bursar \(arguments.first ?? "") did not start: \(text)")
    }

    public func connection() -> HTTPConnection {
        HTTPConnection(host: "127.0.0.1", port: port)
    }

    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM and returns the exit status.
    public func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
