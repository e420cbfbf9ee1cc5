import CZlib

extension Request {
    /// The most a compressed body may expand to (a small gzip bomb must not take the memory).
    public static let maximumInflatedBytes = 64 * 1024 * 1024

    /// The body with its `Content-Encoding` undone: `gzip` (or `deflate`) inflated, `identity`
    /// or none as it is; 415 for another encoding, 400 for a corrupt stream, 413 past the limit.
    public func decodedBody() throws -> [UInt8] {
        switch header("content-encoding")?.lowercased() {
        case nil, "", "identity":
            return body
        case "gzip", "x-gzip", "deflate":
            let inflated = try Self.inflate(body, limit: Self.maximumInflatedBytes)
            try memory?.take(inflated.count, for: "inflated bodies")
            return inflated
        case let other?:
            throw HTTPError(415, code: "unsupported_encoding", message: "Content-Encoding \(other) is not supported; send gzip or none",
                            field: "Content-Encoding")
        }
    }

    /// Inflates a gzip or zlib stream (zlib detects which from its header).
    static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, 15 + 32) == Z_OK else { throw HTTPError(500, code: "internal", message: "zlib did not start") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw HTTPError.badRequest("the body is not a valid gzip stream", field: "Content-Encoding")
                }
                output.append(contentsOf: chunk[..<produced])
                guard output.count <= limit else {
                    throw HTTPError(413, code: "body_too_large", message: "the body inflates to more than \(limit / 1024 / 1024) MiB")
                }
                if produced == 0, stream.avail_in == 0, status != Z_STREAM_END {
                    throw HTTPError.badRequest("the gzip stream ends early", field: "Content-Encoding")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
