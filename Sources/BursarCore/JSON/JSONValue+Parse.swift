extension JSONValue {
    /// What a document may decode into unless a caller says otherwise: an estimate in bytes
    /// (`costPerValue` for each value, plus the bytes of its strings and member names).
    public static let standardMaximumCost = 32 * 1024 * 1024
    /// The estimated bytes one decoded value holds besides its text (a boxed case, its slot
    /// in an array or object).
    public static let costPerValue = 64

    /// Parses a whole JSON document into a value tree (for small admin documents; events use
    /// the streaming decoder). Integers stay exact; other numbers become Doubles. A document
    /// that would decode into more than `maximumCost` bytes is refused while it is read
    /// (`JSONSyntaxError.isTooLarge`), before that memory is taken.
    public static func parse(_ bytes: [UInt8], maximumCost: Int = standardMaximumCost) throws(JSONSyntaxError) -> JSONValue {
        try measuredParse(bytes, maximumCost: maximumCost).value
    }

    /// `parse`, with the estimated bytes the tree holds (for a request to hold them against
    /// the memory every request shares).
    public static func measuredParse(_ bytes: [UInt8], maximumCost: Int = standardMaximumCost) throws(JSONSyntaxError) -> (value: JSONValue, cost: Int) {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer)
            var cost = JSONDecodeCost(maximum: maximumCost)
            let value = try read(&scanner, &cost)
            guard scanner.peek() == nil else {
                throw JSONSyntaxError(message: "unexpected data after the JSON value", offset: scanner.position)
            }
            return (value, cost.spent)
        }
    }

    /// Reads the next value of `scanner` as a tree of at most `maximumCost` estimated bytes
    /// (for readers that stream a large array one element at a time).
    public static func read(from scanner: inout JSONScanner, maximumCost: Int) throws(JSONSyntaxError) -> JSONValue {
        var cost = JSONDecodeCost(maximum: maximumCost)
        return try read(&scanner, &cost)
    }

    private static func read(_ scanner: inout JSONScanner, _ cost: inout JSONDecodeCost) throws(JSONSyntaxError) -> JSONValue {
        try cost.spend(costPerValue, at: scanner.position)
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            var members: [(String, JSONValue)] = []
            try scanner.readObject { scanner, name throws(JSONSyntaxError) in
                try cost.spend(name.utf8.count, at: scanner.position)
                members.append((name, try read(&scanner, &cost)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanner.readArray { scanner, _ throws(JSONSyntaxError) in elements.append(try read(&scanner, &cost)) }
            return .array(elements)
        default:
            switch try scanner.readScalar() {
            case .string(let text):
                try cost.spend(text.utf8.count, at: scanner.position)
                return .string(text)
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
