import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL

/// A blocking HTTP and HTTPS client for Bursar's own calls over the network: the router SDK's
/// bundle polls, status reports and event batches, and the server's webhook deliveries.
///
/// It runs on AsyncHTTPClient (host names, TLS with certificate verification against the
/// system's trust store or a pinned CA file, connection pooling), with a deadline for every
/// request and a bound on every reply; a reply that is not well-formed HTTP is an error,
/// never a crash.
public final class WebClient: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        /// Header names lowercased (the last of repeated headers).
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Not an `http://` or `https://` URL with a host.
        case invalidURL(String)
        /// No answer within the request's time.
        case timedOut
        /// Ended from another thread (`Cancellation`).
        case cancelled
        /// The reply's body is larger than `Options.maximumReplyBytes`.
        case replyTooLarge(Int)
        /// No connection, a TLS failure, or a reply that is not HTTP.
        case failed(String)

        public var description: String {
            switch self {
            case .invalidURL(let url): return "'\(url)' is not an http:// or https:// URL"
            case .timedOut: return "no answer in time"
            case .cancelled: return "cancelled"
            case .replyTooLarge(let limit): return "the reply is larger than \(limit) bytes"
            case .failed(let why): return why
            }
        }
    }

    public struct Options: Sendable {
        /// Trust only the CA certificates in this PEM file (else the system's trust store).
        public var caFile: String?
        public var connectTimeoutSeconds: Int64 = 5
        public var maximumReplyBytes = 64 * 1024 * 1024

        public init(caFile: String? = nil) {
            self.caFile = caFile
        }
    }

    /// Ends the requests in flight that carry it, from another thread (a long poll or a
    /// webhook delivery at shutdown); once cancelled, every later one fails at once.
    public final class Cancellation: Sendable {
        private struct State {
            var cancelled = false
            var tasks: [ObjectIdentifier: HTTPClient.Task<HTTPClient.Response>] = [:]
        }

        private let state = NIOLockedValueBox(State())

        public init() {}

        public func cancel() {
            let tasks = state.withLockedValue { state -> [HTTPClient.Task<HTTPClient.Response>] in
                state.cancelled = true
                return Array(state.tasks.values)
            }
            for task in tasks { task.cancel() }
        }

        public var isCancelled: Bool { state.withLockedValue { $0.cancelled } }

        /// Holds `task` while it runs; false when already cancelled.
        fileprivate func hold(_ task: HTTPClient.Task<HTTPClient.Response>) -> Bool {
            state.withLockedValue { state in
                state.tasks[ObjectIdentifier(task)] = task
                return !state.cancelled
            }
        }

        fileprivate func release(_ task: HTTPClient.Task<HTTPClient.Response>) {
            _ = state.withLockedValue { $0.tasks.removeValue(forKey: ObjectIdentifier(task)) }
        }
    }

    public let options: Options
    private let client: HTTPClient

    public init(options: Options = Options()) throws {
        self.options = options
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = options.caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        let configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(options.connectTimeoutSeconds)), decompression: .disabled)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit {
        try? client.syncShutdown()
    }

    /// Whether `url` is one this client can call (`http://` or `https://` with a host).
    public static func accepts(_ url: String) -> Bool {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty else { return false }
        return true
    }

    /// Sends one request and waits for the whole reply, at most `timeoutSeconds`.
    public func send(_ method: String, _ url: String, headers: [String: String] = [:], body: [UInt8] = [],
                     timeoutSeconds: Int64, cancellation: Cancellation? = nil) throws(Failure) -> Reply {
        guard Self.accepts(url), let request = try? HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method)) else {
            throw .invalidURL(url)
        }
        var prepared = request
        for (name, value) in headers { prepared.headers.replaceOrAdd(name: name, value: value) }
        if !body.isEmpty || method == "POST" || method == "PUT" { prepared.body = .bytes(body) }
        let accumulator = ResponseAccumulator(request: prepared, maxBodySize: options.maximumReplyBytes)
        let task = client.execute(request: prepared, delegate: accumulator, deadline: .now() + .seconds(timeoutSeconds))
        if let cancellation, !cancellation.hold(task) {
            task.cancel()
            throw .cancelled
        }
        defer { cancellation?.release(task) }
        let response: HTTPClient.Response
        do {
            response = try task.futureResult.wait()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timedOut
        } catch let error as HTTPClientError where error == .cancelled {
            throw .cancelled
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw .replyTooLarge(options.maximumReplyBytes)
        } catch {
            throw .failed("\(error)")
        }
        var replyHeaders: [String: String] = [:]
        for (name, value) in response.headers { replyHeaders[name.lowercased()] = value }
        return Reply(status: Int(response.status.code), headers: replyHeaders,
                     body: response.body.map { Array($0.readableBytesView) } ?? [])
    }
}
