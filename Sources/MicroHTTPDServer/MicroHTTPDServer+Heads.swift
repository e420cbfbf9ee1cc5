import HTTPToolkit
import CMicroHTTPD
import Foundation

/// Bursar's own limits on a request's head, below what libmicrohttpd's connection memory can
/// hold, so that an over-long target or header set gets the JSON error shape (414, 431).
/// A head larger than the connection memory itself (32 KiB) is refused by libmicrohttpd with
/// the same status and its own short HTML body.
extension MicroHTTPDServer {
    /// The path and query of one request, in bytes.
    static let maximumTargetBytes = 8 * 1024
    /// All header names and values of one request, in bytes.
    static let maximumHeaderBytes = 16 * 1024

    func headTooLarge(_ connection: OpaquePointer, path: String) -> Response? {
        let target = path.utf8.count + connectionValueBytes(connection, .GET_ARGUMENT_KIND)
        if target > Self.maximumTargetBytes {
            return HTTPError(414, code: "target_too_long",
                             message: "the path and query are longer than \(Self.maximumTargetBytes) bytes").response
        }
        if connectionValueBytes(connection, .HEADER_KIND) > Self.maximumHeaderBytes {
            return HTTPError(431, code: "headers_too_large",
                             message: "the headers are larger than \(Self.maximumHeaderBytes) bytes in all").response
        }
        return nil
    }

    /// A head whose body framing is ambiguous or unreadable, refused (and the connection
    /// closed) before anything else: two `Content-Length`s, one with `Transfer-Encoding`
    /// (request smuggling), a length that is not a number, a transfer coding other than chunked.
    func framingProblem(_ connection: OpaquePointer) -> Response? {
        let lengths = headerValues(connection, "Content-Length")
        let codings = headerValues(connection, "Transfer-Encoding")
        func refusal(_ message: String) -> Response {
            HTTPError(400, code: "bad_framing", message: message, field: "Content-Length").response
        }
        if lengths.count > 1 { return refusal("the request has more than one Content-Length") }
        if !lengths.isEmpty, !codings.isEmpty { return refusal("the request has both Content-Length and Transfer-Encoding") }
        if let length = lengths.first, Int(length.trimmingCharacters(in: .whitespaces)).map({ $0 >= 0 }) != true {
            return refusal("Content-Length '\(length.prefix(40))' is not a number of bytes")
        }
        if codings.count > 1 || codings.contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() != "chunked" }) {
            return HTTPError(400, code: "bad_framing", message: "the only transfer coding taken is chunked", field: "Transfer-Encoding").response
        }
        return nil
    }

    /// Headers whose meaning depends on which copy is read, sent more than once, and query
    /// parameters repeated: refused, never read as the first by one part and the last by
    /// another (two `Authorization` headers were once admitted as the first and handled as
    /// the second).
    /// Headers a request may send once only (Content-Length and Transfer-Encoding are the
    /// framing check's).
    static let singleHeaders: [StaticString] = ["Authorization", "Content-Type", "Content-Encoding", "Prefer", "If-None-Match"]

    func repeatedHeadProblem(_ connection: OpaquePointer) -> Response? {
        if let name = repeatedHeader(connection, among: Self.singleHeaders) {
            return HTTPError(400, code: "repeated_header", message: "the request has more than one \(name) header", field: name).response
        }
        if let repeated = repeatedName(connection, .GET_ARGUMENT_KIND) {
            return HTTPError(400, code: "repeated_parameter", message: "the query names \(repeated) more than once; give each parameter once (lists are comma-separated)",
                             field: repeated).response
        }
        return nil
    }
}
