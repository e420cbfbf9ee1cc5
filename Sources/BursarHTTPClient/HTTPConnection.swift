import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A blocking plain-HTTP/1.1 client on one keep-alive TCP connection, for Bursar's own tools
/// on the same machine or network: benchmarks, tests, the demo command. Anything that crosses
/// a network to reach Bursar (the router SDK, webhooks) uses `WebClient` (HTTPS).
///
/// Small on purpose: the benchmarks and tests need a client that costs next to nothing per
/// request. A reply that is not well-formed (a negative or huge length, a bad chunk) is a
/// `Failure.malformed`, never a crash.
///
/// One thread uses a connection; only `interrupt()` may be called from another (to end a
/// long poll at shutdown), which is why it is `@unchecked Sendable`.
public final class HTTPConnection: @unchecked Sendable {
    public struct Reply: Sendable {
        public var status: Int
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Failure: Error, CustomStringConvertible {
        case cannotConnect(String)
        case closed
        case malformed(String)
        case timedOut

        public var description: String {
            switch self {
            case .cannotConnect(let address): return "cannot connect to \(address)"
            case .closed: return "the server closed the connection"
            case .timedOut: return "no answer in time"
            case .malformed(let what): return "malformed response: \(what)"
            }
        }
    }

    /// The largest reply body read.
    public static let maximumReplyBytes = 256 * 1024 * 1024

    public let host: String
    public let port: UInt16
    /// Seconds a read or write may block before the request fails (0: no limit).
    public var timeoutSeconds = 0
    private var socket: Int32 = -1 {
        didSet { liveSocket.store(socket, ordering: .relaxed) }
    }
    private let liveSocket = Atomic<Int32>(-1)
    private let interrupted = Atomic<Bool>(false)
    private var buffer: [UInt8] = []
    private var readStart = 0

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `http://host:port`.
    public convenience init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7).split(separator: "/", maxSplits: 1).first ?? ""
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        self.init(host: parts[0] == "localhost" ? "127.0.0.1" : String(parts[0]), port: port)
    }

    deinit { close() }

    /// Makes a blocked send or receive on another thread fail at once (the socket is shut
    /// down), and every later one too.
    public func interrupt() {
        interrupted.store(true, ordering: .relaxed)
        let fd = liveSocket.load(ordering: .relaxed)
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        buffer = []
        readStart = 0
    }

    /// Sends a request and reads the whole response; reconnects once if the kept-alive
    /// connection turned out to be closed before anything was sent.
    public func send(_ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> Reply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return try sendRaw(Array(head.utf8) + body, expectBody: method != "HEAD")
    }

    /// Sends a request without waiting for its response (read it with `receive()`), so that
    /// one thread can hold many requests open, as long-poll tests do.
    public func begin(_ method: String, _ target: String, headers: [String: String] = [:]) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: 0\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if socket < 0 { try connect() }
        try write(Array((head + "\r\n").utf8))
    }

    /// Reads the response to a request sent with `begin`.
    public func receive() throws -> Reply {
        try readReply(expectBody: true)
    }

    /// Sends bytes as they are (the test of malformed requests uses this) and reads one response.
    public func sendRaw(_ bytes: [UInt8], expectBody: Bool = true) throws -> Reply {
        let fresh = socket < 0
        if fresh { try connect() }
        do {
            try write(bytes)
            return try readReply(expectBody: expectBody)
        } catch Failure.closed where !fresh {
            close()
            try connect()
            try write(bytes)
            return try readReply(expectBody: expectBody)
        }
    }

    private func connect() throws {
        guard !interrupted.load(ordering: .relaxed) else { throw Failure.closed }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure.cannotConnect("\(host):\(port)") }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.cannotConnect("\(host):\(port)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if timeoutSeconds > 0 {
            var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure.cannotConnect("\(host):\(port)")
        }
        socket = fd
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure.closed }
            offset += written
        }
    }

    private func fill() throws {
        if readStart > 0 {
            buffer.removeFirst(readStart)
            readStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
            close()
            throw Failure.timedOut
        }
        guard count > 0 else { throw Failure.closed }
        buffer.append(contentsOf: chunk[..<count])
    }

    private func readReply(expectBody: Bool) throws -> Reply {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer, from: readStart)
            if headerEnd == nil { try fill() }
        }
        guard let end = headerEnd else { throw Failure.malformed("no end of the head") }
        let head = String(decoding: buffer[readStart..<end], as: UTF8.self)
        readStart = end + 4
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed("status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try readChunked()
        } else if expectBody, status != 304, status != 204 {
            guard let length = Int(headers["content-length"] ?? "0"), (0...Self.maximumReplyBytes).contains(length) else {
                throw Failure.malformed("Content-Length \(headers["content-length"] ?? "")")
            }
            while buffer.count - readStart < length { try fill() }
            body = Array(buffer[readStart..<readStart + length])
            readStart += length
        }
        if headers["connection"]?.lowercased() == "close" { close() }
        return Reply(status: status, headers: headers, body: body)
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = Self.find([13, 10], in: buffer, from: readStart)
            while lineEnd == nil { try fill(); lineEnd = Self.find([13, 10], in: buffer, from: readStart) }
            guard let end = lineEnd else { throw Failure.malformed("chunk size") }
            let sizeText = String(decoding: buffer[readStart..<end], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16),
                  size >= 0, size <= Self.maximumReplyBytes - body.count else { throw Failure.malformed("chunk size \(sizeText)") }
            readStart = end + 2
            while buffer.count - readStart < size + 2 { try fill() }
            body.append(contentsOf: buffer[readStart..<readStart + size])
            readStart += size + 2
            if size == 0 { return body }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
