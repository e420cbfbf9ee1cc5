import HTTPToolkit
import CMicroHTTPD
import Foundation
import Logging
import Locking
import Synchronization

/// Serves a `Responder` over HTTP with libmicrohttpd: a thread pool on epoll, and requests
/// that wait (for a commit, a long poll) suspended so that they hold no thread.
public final class MicroHTTPDServer: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port: UInt16 = 8080
        public var threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
        public var connectionTimeoutSeconds: UInt32 = 30
        public var connectionLimit: UInt32 = 10_000
        /// Connections one client address may hold open at once (past it, new ones are closed
        /// as they are accepted).
        public var connectionsPerClient: UInt32 = 1_000
        /// How long a connection may take to send a whole request head, from connecting or
        /// from its last answer, however slowly it trickles: past it, it is closed.
        public var headDeadline: Duration = .seconds(30)
        public var maximumBodyBytes = 16 * 1024 * 1024
        /// All request bodies being received at once, across connections, and what they are
        /// inflated and decoded into; past it, 503.
        public var maximumBodyBytesInFlight = 256 * 1024 * 1024
        /// A line per request at info level: method, path, status, milliseconds, caller.
        public var accessLog = true
        public var tlsKeyPEM: String?
        public var tlsCertificatePEM: String?

        public init() {}
    }

    public enum StartError: Error, CustomStringConvertible {
        case badAddress(String)
        case cannotListen(String)

        public var description: String {
            switch self {
            case .badAddress(let host): return "'\(host)' is not an IPv4 or IPv6 address"
            case .cannotListen(let address): return "cannot listen on \(address) (in use, or not permitted)"
            }
        }
    }

    let configuration: Configuration
    let responder: any Responder
    let logger: Logger
    let activeExchanges = Atomic<Int>(0)
    /// Signalled when the last request in flight ends while draining.
    let drained = DispatchSemaphore(value: 0)
    let suspendedExchanges = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    /// Bytes held by the bodies being received and by what they decode into (bounded by
    /// `maximumBodyBytesInFlight`).
    let memory: MemoryBudget
    private let daemon = Locked<ConnectionHandle?>(nil)
    /// Connections that owe a request head, closed when they are late.
    let heads: HeadDeadlines

    public init(configuration: Configuration, responder: any Responder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        memory = MemoryBudget(limit: configuration.maximumBodyBytesInFlight)
        heads = HeadDeadlines(deadline: configuration.headDeadline)
    }

    /// Starts listening; returns the bound port (useful with port 0).
    @discardableResult
    public func start() throws -> UInt16 {
        let context = Unmanaged.passRetained(self).toOpaque()
        let started: OpaquePointer? = try withSocketAddress { address in
            var settings = CMicroHTTPD_settings()
            settings.flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
                | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
                | (configuration.host.contains(":") ? MHD_USE_IPv6.rawValue : 0)
            settings.address = address
            settings.thread_pool_size = UInt32(configuration.threads)
            settings.connection_timeout_seconds = configuration.connectionTimeoutSeconds
            settings.connection_limit = configuration.connectionLimit
            settings.per_client_connection_limit = configuration.connectionsPerClient
            // libmicrohttpd clears a connection's pool for every request: keep it small
            // (256 KiB cost a sixth of the CPU of serving 304s; 32 KiB, its default, serves
            // 2.8 times as many as 256 KiB did); bodies stream in chunks.
            settings.connection_memory_limit = 32 * 1024
            return withOptionalCString(configuration.tlsKeyPEM) { key in
                withOptionalCString(configuration.tlsCertificatePEM) { certificate in
                    settings.tls_key_pem = key
                    settings.tls_cert_pem = certificate
                    return CMicroHTTPD_start_daemon(&settings, bursarAccessHandler, context, bursarRequestCompleted, context, bursarRawTarget,
                                                    bursarConnectionNotice, bursarAcceptPolicy)
                }
            }
        }
        guard let started else {
            Unmanaged<MicroHTTPDServer>.fromOpaque(context).release()
            throw StartError.cannotListen("\(configuration.host):\(configuration.port)")
        }
        daemon.withLock { $0 = ConnectionHandle(pointer: started) }
        heads.start()
        return CMicroHTTPD_bound_port(started)
    }

    /// Stops taking connections, lets every request in flight (and every suspended one)
    /// finish, then stops. New connections are closed as they are accepted rather than left
    /// unaccepted by `MHD_quiesce_daemon`: on an epoll thread pool that call races the worker
    /// threads for the listening socket and aborts the process (an open libmicrohttpd defect,
    /// `DrainTests`).
    public func drain(timeout: Duration = .seconds(30)) {
        guard daemon.withLock({ $0 }) != nil else { return }
        draining.store(true, ordering: .sequentiallyConsistent)
        let deadline = DispatchTime.now() + .nanoseconds(Int(timeout / .nanoseconds(1)))
        // Woken when the last request in flight ends (a signal may be left over: looked again).
        while activeExchanges.load(ordering: .sequentiallyConsistent) > 0, drained.wait(timeout: deadline) == .success {}
        stop()
    }

    /// Stops at once; requests in flight are dropped.
    public func stop() {
        guard let handle = daemon.withLock({ state -> ConnectionHandle? in defer { state = nil }; return state }) else { return }
        MHD_stop_daemon(handle.pointer)
        heads.stop()
        Unmanaged.passUnretained(self).release()
    }

    public var openConnections: Int {
        daemon.withLock { $0 }.map { Int(CMicroHTTPD_current_connections($0.pointer)) } ?? 0
    }

    /// True from the start of `drain` (new connections are closed, new requests answered 503).
    public var isDraining: Bool { draining.load(ordering: .sequentiallyConsistent) }

    public var heldRequests: Int { suspendedExchanges.load(ordering: .relaxed) }

    /// Bytes held by the request bodies being received now and what they decode into.
    public var bodyBytesReserved: Int { memory.inUse }

    private func withSocketAddress<T>(_ body: (UnsafePointer<sockaddr>) throws -> T) throws -> T {
        if configuration.host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = configuration.port.bigEndian
            guard inet_pton(AF_INET6, configuration.host, &address.sin6_addr) == 1 else { throw StartError.badAddress(configuration.host) }
            return try withUnsafePointer(to: &address) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = configuration.port.bigEndian
        let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw StartError.badAddress(configuration.host) }
        return try withUnsafePointer(to: &address) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}

private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
