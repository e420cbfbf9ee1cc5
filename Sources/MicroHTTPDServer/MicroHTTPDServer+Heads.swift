import BursarHTTP
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
}
