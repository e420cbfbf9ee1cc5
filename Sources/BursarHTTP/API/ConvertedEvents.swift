import BursarCore

/// Events converted from another format (LiteLLM logs, OTLP spans), kept as the JSON array
/// they will be read from: each event is written as it is made, so that no tree of the
/// whole batch is ever held.
struct ConvertedEvents {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "[")]
    private(set) var count = 0

    mutating func append(_ event: JSONValue) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        event.write(to: &bytes, canonical: false)
        count += 1
    }

    /// `[event,…]`.
    var array: [UInt8] { bytes + [UInt8(ascii: "]")] }
}
