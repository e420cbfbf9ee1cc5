import Locking
import BursarCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A local port that stays put while the server behind it restarts: each connection is relayed
/// to the server's current port, or closed at once while there is none (as a refused
/// connection would be). Restart tests keep one URL without freeing a port and hoping to bind
/// it again before anything else does.
public final class PortRelay: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What the relaying threads share (they hold this, not the relay, so that dropping the
    /// relay stops them).
    final class State: Sendable {
        /// The server's port; 0 while there is none.
        let upstream: Atomic<UInt16>
        let open = Locked<Set<Int32>>([])

        init(upstream: UInt16) {
            self.upstream = Atomic(upstream)
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let state: State

    public init(to upstream: UInt16?) throws {
        state = State(upstream: upstream ?? 0)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Failure(description: "socket() failed") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw Failure(description: "cannot listen on a loopback port")
        }
        port = UInt16(bigEndian: address.sin_port)
        self.listener = listener
        let state = state
        Thread.detachNewThread { Self.acceptConnections(listener, state) }
    }

    /// Stops listening (the accepting thread closes the socket) and ends open connections.
    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        state.open.withLock { $0.forEach { shutdown($0, Int32(SHUT_RDWR)) } }
    }

    /// Relays new connections to `port` from now on (none: they are closed at once).
    public func relay(to port: UInt16?) {
        state.upstream.store(port ?? 0, ordering: .sequentiallyConsistent)
    }

    private static func acceptConnections(_ listener: Int32, _ state: State) {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let target = state.upstream.load(ordering: .sequentiallyConsistent)
            guard target != 0, let server = Self.connect(port: target) else {
                close(client)
                continue
            }
            state.open.withLock { $0.formUnion([client, server]) }
            let finished = Locked(0)
            for (from, to) in [(client, server), (server, client)] {
                Thread.detachNewThread {
                    Self.pump(from: from, to: to)
                    // Either side ending ends both; the second pump to finish closes them.
                    shutdown(client, Int32(SHUT_RDWR))
                    shutdown(server, Int32(SHUT_RDWR))
                    if finished.withLock({ $0 += 1; return $0 }) == 2 {
                        state.open.withLock { $0.subtract([client, server]) }
                        close(client)
                        close(server)
                    }
                }
            }
        }
    }

    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(source, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            var sent = 0
            while sent < count {
                let result = buffer[sent..<count].withUnsafeBytes { send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard result > 0 else { return }
                sent += result
            }
        }
    }

    private static func connect(port: UInt16) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
