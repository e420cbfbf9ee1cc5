extension JSONValue {
    /// Parses a whole JSON document into a value tree (for small admin documents; events use
    /// the streaming decoder). Integers stay exact; other numbers become Doubles.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer)
            let value = try read(&scanner)
            guard scanner.peek() == nil else {
                throw JSONSyntaxError(message: "unexpected data after the JSON value", offset: scanner.position)
            }
            return value
        }
    }

    private static func read(_ scanner: inout JSONScanner) throws(JSONSyntaxError) -> JSONValue {
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            var members: [(String, JSONValue)] = []
            try scanner.readObject { scanner, name throws(JSONSyntaxError) in members.append((name, try read(&scanner))) }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanner.readArray { scanner, _ throws(JSONSyntaxError) in elements.append(try read(&scanner)) }
            return .array(elements)
        default:
            switch try scanner.readScalar() {
            case .string(let text): return .string(text)
            case .bool(let flag): return .bool(flag)
            case .null: return .null
            case .number(let digits):
                if let decimal = DecimalText.parse(digits), decimal.isWhole, let whole = decimal.scaled(toDecimals: 0) {
                    return .integer(whole)
                }
                return .number(DecimalText.parse(digits)?.doubleValue ?? .nan)
            case .object, .array: return .null
            }
        }
    }

    /// A member of an object, or nil.
    public subscript(member name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == name }?.1
    }

    /// The members of an object (empty for anything else).
    public var objectMembers: [(String, JSONValue)] {
        guard case .object(let members) = self else { return [] }
        return members
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number, whole or not.
    public var numberValue: Double? {
        switch self {
        case .number(let number): return number
        case .integer(let number): return Double(number)
        default: return nil
        }
    }

    public var integerValue: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
