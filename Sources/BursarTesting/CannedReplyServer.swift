import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP server that answers every request with the same bytes, however malformed,
/// and closes: for tests of what clients do with a hostile server's replies.
public final class CannedReplyServer: Sendable {
    final class Flag: Sendable {
        let on = Atomic<Bool>(false)
    }

    public let port: UInt16
    private let listener: Int32
    private let stopped = Flag()

    public init(reply: [UInt8]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else { throw RawSocket.Failure(description: "cannot listen on a loopback port") }
        port = UInt16(bigEndian: address.sin_port)
        let stopped = self.stopped
        let thread = Thread {
            while !stopped.on.load(ordering: .relaxed) {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 65_536)
                _ = recv(connection, &buffer, buffer.count, 0)
                _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(connection, Int32(SHUT_WR))
                close(connection)
            }
        }
        thread.start()
    }

    deinit {
        stopped.on.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
