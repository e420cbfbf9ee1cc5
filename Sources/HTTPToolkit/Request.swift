/// An HTTP request as handlers see it: whole, with its body read.
public struct Request: Sendable {
    /// The request's id (`RequestID`), as the server's access log has it.
    public var id: String
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// What this request may hold of the memory every request shares, for what its body
    /// decodes into (nil: only the per-request limits apply, as in tests without a server).
    public var memory: MemoryLease?

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = [],
                id: String = RequestID.make()) {
        self.id = id
        self.method = method
        self.path = path
        self.query = query
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// Builds a request from a target such as `/v1/spend?group_by=user&from=2026-11-01`.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let item = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = Self.percentDecoded(item[0])
                query[name] = item.count == 2 ? Self.percentDecoded(item[1]) : ""
            }
        }
        self.init(method: method, path: Self.percentDecoded(parts[0]), query: query, headers: headers, body: body)
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The media type of the body, without parameters, lowercased (`""` for a header such as `;`).
    public var mediaType: String? {
        header("content-type").map { Self.mediaType(of: $0) }
    }

    /// The media type in a `Content-Type` value: what comes before the first `;`.
    public static func mediaType(of contentType: String) -> String {
        String(contentType.prefix { $0 != ";" }).trimmingSpaces().lowercased()
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    public func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
