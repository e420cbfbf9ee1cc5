import BursarCore

/// What an `ExportTraceServiceRequest` will decode into, measured from its wire bytes before
/// any of it is decoded: how many spans, and an estimate of the bytes the decoded messages
/// hold. Two bytes on the wire can be a whole empty span, so a 64 MiB body could otherwise
/// decode into gigabytes.
struct OTLPWireShape {
    /// The messages of the export, as far as Bursar decodes them.
    enum Message {
        case request, resourceSpans, resource, scopeSpans, scope, span, status, keyValue, anyValue, arrayValue, keyValueList

        /// The message a length-delimited field holds (nil: bytes, a string or a field Bursar
        /// does not decode, kept as it is).
        func child(_ field: UInt64) -> Message? {
            switch (self, field) {
            case (.request, 1): return .resourceSpans
            case (.resourceSpans, 1): return .resource
            case (.resourceSpans, 2): return .scopeSpans
            case (.resource, 1), (.keyValueList, 1): return .keyValue
            case (.scopeSpans, 1): return .scope
            case (.scopeSpans, 2): return .span
            case (.span, 9): return .keyValue
            case (.span, 15): return .status
            case (.keyValue, 2), (.arrayValue, 1): return .anyValue
            case (.anyValue, 5): return .arrayValue
            case (.anyValue, 6): return .keyValueList
            default: return nil
            }
        }

        /// Estimated bytes one decoded message holds besides its strings and bytes.
        var cost: Int { self == .span ? 512 : 128 }
    }

    static let maximumDepth = 32

    private(set) var spans = 0
    private(set) var cost = 0
    let maximumSpans: Int
    let maximumCost: Int

    init(maximumSpans: Int, maximumCost: Int) {
        self.maximumSpans = maximumSpans
        self.maximumCost = maximumCost
    }

    /// Measures `bytes` as an export; throws `batch_too_large` past either maximum and
    /// `malformed_body` for bytes that are no protobuf message.
    mutating func measure(_ bytes: [UInt8]) throws(FieldError) {
        try bytes.withUnsafeBufferPointer { buffer throws(FieldError) in
            try measure(buffer, 0..<buffer.count, as: .request, depth: 0)
        }
    }

    private mutating func measure(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, as message: Message, depth: Int) throws(FieldError) {
        guard depth <= Self.maximumDepth else { throw Self.malformed("messages nested deeper than \(Self.maximumDepth)") }
        try spend(message.cost)
        if message == .span {
            spans += 1
            guard spans <= maximumSpans else {
                throw FieldError(code: "batch_too_large", message: "more than \(maximumSpans) spans in one request; send smaller batches")
            }
        }
        var position = range.lowerBound
        while position < range.upperBound {
            let key = try Self.varint(bytes, &position, end: range.upperBound)
            switch key & 7 {
            case 0: _ = try Self.varint(bytes, &position, end: range.upperBound)
            case 1: position += 8
            case 5: position += 4
            case 2:
                let length = try Self.varint(bytes, &position, end: range.upperBound)
                guard length <= UInt64(range.upperBound - position) else { throw Self.malformed("a field runs past its message") }
                let end = position + Int(length)
                if let child = message.child(key >> 3) {
                    try measure(bytes, position..<end, as: child, depth: depth + 1)
                } else {
                    try spend(32 + Int(length))
                }
                position = end
            default:
                throw Self.malformed("wire type \(key & 7) is not used by OTLP")
            }
            guard position <= range.upperBound else { throw Self.malformed("a field runs past its message") }
        }
    }

    private mutating func spend(_ bytes: Int) throws(FieldError) {
        cost += bytes
        guard cost <= maximumCost else {
            throw FieldError(code: "batch_too_large", message: "the export decodes to more than \(maximumCost / 1024 / 1024) MiB; send smaller batches")
        }
    }

    private static func varint(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int, end: Int) throws(FieldError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw malformed("a varint is cut short")
    }

    private static func malformed(_ why: String) -> FieldError {
        FieldError(code: "malformed_body", message: "the body is not a valid ExportTraceServiceRequest: \(why)")
    }
}
