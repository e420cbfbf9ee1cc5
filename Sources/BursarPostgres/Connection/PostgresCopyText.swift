/// Rows in COPY's text format: fields split by tabs, `\N` for NULL, backslash escapes. Values
/// are written straight into the buffer (no string per field: a group commit writes hundreds
/// of thousands of fields).
enum PostgresCopyText {
    static func append(_ row: [PostgresValue], to buffer: inout [UInt8]) throws(PostgresError) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
            case .integer(let number): appendDecimal(number, to: &buffer)
            case .boolean(let flag): buffer.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .bytes(let bytes): appendBytea(bytes, to: &buffer)
            case .text(let text): try appendEscaped(text.utf8, to: &buffer)
            case .real: try appendEscaped((try value.checkedText() ?? "").utf8, to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    private static func appendEscaped(_ text: String.UTF8View, to buffer: inout [UInt8]) throws(PostgresError) {
        let plain = text.withContiguousStorageIfAvailable { bytes in
            guard !bytes.contains(where: { $0 == 0 || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
            else { return false }
            buffer.append(contentsOf: bytes)
            return true
        }
        if plain == true { return }
        for byte in text {
            switch byte {
            case 0: throw PostgresError(.value, "PostgreSQL text cannot hold a NUL byte")
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    /// `\x` and hex digits, the backslash escaped for COPY.
    private static func appendBytea(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        for byte in bytes {
            buffer.append(PostgresHex.digits[Int(byte >> 4)])
            buffer.append(PostgresHex.digits[Int(byte & 0x0F)])
        }
    }

    private static func appendDecimal(_ number: Int64, to buffer: inout [UInt8]) {
        if number < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = buffer.count
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        buffer[start...].reverse()
    }
}
