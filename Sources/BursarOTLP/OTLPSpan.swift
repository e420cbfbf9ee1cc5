import BursarCore

/// A span as Bursar reads it from OTLP, protobuf or JSON alike.
public struct OTLPSpan: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case other

        public var text: String? {
            switch self {
            case .string(let text): return text
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            case .bool(let flag): return String(flag)
            case .other: return nil
            }
        }

        public var integer: Int64? {
            switch self {
            case .int(let number): return number
            case .double(let number) where number == number.rounded() && abs(number) < 9e15: return Int64(number)
            case .string(let text): return Int64(text)
            default: return nil
            }
        }
    }

    /// Lowercase hex, as OTLP/JSON writes ids.
    public var traceID: String
    public var spanID: String
    public var name: String
    public var startNanos: UInt64
    public var endNanos: UInt64
    public var attributes: [String: Value]
    /// The attributes of the span's resource (`service.name`, …).
    public var resource: [String: Value]
    /// 0 unset, 1 ok, 2 error.
    public var statusCode: Int32
    public var statusMessage: String

    public init(traceID: String, spanID: String, name: String, startNanos: UInt64, endNanos: UInt64,
                attributes: [String: Value], resource: [String: Value], statusCode: Int32 = 0, statusMessage: String = "") {
        self.traceID = traceID
        self.spanID = spanID
        self.name = name
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.attributes = attributes
        self.resource = resource
        self.statusCode = statusCode
        self.statusMessage = statusMessage
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
