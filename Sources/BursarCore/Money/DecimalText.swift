/// A decimal number parsed exactly from text: `digits × 10^exponent`, with a sign.
///
/// Accepts JSON number syntax and plain decimal strings (`"12.5"`, `"-3"`, `"1e-3"`).
public struct DecimalText: Sendable, Equatable {
    public var negative: Bool
    /// Significant digits, without leading zeros; at most 38 of them.
    public var digits: [UInt8]
    public var exponent: Int

    public static func parse(_ bytes: some Collection<UInt8>) -> DecimalText? {
        var index = bytes.startIndex
        var negative = false
        if index != bytes.endIndex, bytes[index] == UInt8(ascii: "-") {
            negative = true
            bytes.formIndex(after: &index)
        } else if index != bytes.endIndex, bytes[index] == UInt8(ascii: "+") {
            bytes.formIndex(after: &index)
        }
        var digits: [UInt8] = []
        var exponent = 0
        var sawDigit = false
        var sawPoint = false
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                sawDigit = true
                if !(digits.isEmpty && byte == 48) {
                    guard digits.count < 38 else { return nil }
                    digits.append(byte - 48)
                }
                if sawPoint { exponent -= 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes.formIndex(after: &index)
        }
        guard sawDigit else { return nil }
        if index != bytes.endIndex {
            let marker = bytes[index]
            guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return nil }
            bytes.formIndex(after: &index)
            var exponentNegative = false
            if index != bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                bytes.formIndex(after: &index)
            }
            var value = 0
            var sawExponentDigit = false
            while index != bytes.endIndex, bytes[index] >= 48, bytes[index] <= 57 {
                value = min(value * 10 + Int(bytes[index] - 48), 10_000)
                sawExponentDigit = true
                bytes.formIndex(after: &index)
            }
            guard sawExponentDigit, index == bytes.endIndex else { return nil }
            exponent += exponentNegative ? -value : value
        }
        return DecimalText(negative: negative, digits: digits, exponent: exponent)
    }

    public var isZero: Bool { digits.isEmpty }

    /// Whether the value has no fractional part.
    public var isWhole: Bool {
        exponent >= 0 || digits.suffix(-exponent).allSatisfy { $0 == 0 }
    }

    /// The value multiplied by `10^decimals`, rounded half-to-even; nil when it overflows Int64.
    public func scaled(toDecimals decimals: Int) -> Int64? {
        if digits.isEmpty { return 0 }
        let shift = exponent + decimals
        var whole: Int128 = 0
        let keep = digits.count + shift
        if keep > 38 { return nil }
        var roundUp = false
        if shift >= 0 {
            for digit in digits { whole = whole * 10 + Int128(digit) }
            for _ in 0..<shift { whole *= 10 }
        } else if keep > 0 {
            for digit in digits[..<keep] { whole = whole * 10 + Int128(digit) }
            roundUp = Self.roundsUp(dropped: digits[keep...], lastKept: digits[keep - 1])
        } else {
            roundUp = keep == 0 && Self.roundsUp(dropped: digits[...], lastKept: 0)
        }
        if roundUp { whole += 1 }
        if negative { whole = -whole }
        guard whole >= Int128(Int64.min), whole <= Int128(Int64.max) else { return nil }
        return Int64(whole)
    }

    /// Half-to-even: above half rounds up, exactly half rounds to the even neighbour.
    private static func roundsUp(dropped: ArraySlice<UInt8>, lastKept: UInt8) -> Bool {
        guard let first = dropped.first else { return false }
        if first > 5 { return true }
        if first < 5 { return false }
        if dropped.dropFirst().contains(where: { $0 != 0 }) { return true }
        return lastKept % 2 == 1
    }

    /// The value as a Double, for quantities that are not money (scores, milliseconds).
    public var doubleValue: Double {
        var text = negative ? "-" : ""
        text += digits.isEmpty ? "0" : digits.map { String($0) }.joined()
        text += "e\(exponent)"
        return Double(text) ?? .nan
    }
}
