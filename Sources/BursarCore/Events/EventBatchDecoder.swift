/// Turns a request body into usage events, one result per event in the batch.
///
/// Syntax errors reject the whole body (`JSONSyntaxError`); a wrong field rejects only its event.
public struct EventBatchDecoder: Sendable {
    /// The body formats `POST /v1/events` accepts.
    public enum Format: Sendable {
        /// One event object or an array of them (`application/json`).
        case json
        /// One event object per line (`application/x-ndjson`).
        case ndjson
        /// One CloudEvents envelope with the event in `data` (`application/cloudevents+json`).
        case cloudEvent
        /// An array of CloudEvents envelopes (`application/cloudevents-batch+json`).
        case cloudEventBatch
    }

    public static let maximumEventsPerBatch = 100_000

    public var defaultSource: String
    /// The sources the sender may write; an event naming another is rejected.
    public var sources: SourceGrant
    /// Event times outside this window (epoch milliseconds) are rejected.
    public var window: ClosedRange<Int64>

    /// `sources` nil: only `defaultSource`.
    public init(defaultSource: String, sources: SourceGrant? = nil, window: ClosedRange<Int64>) {
        self.defaultSource = defaultSource
        self.sources = sources ?? .own(defaultSource)
        self.window = window
    }

    /// The accepted window around `now`: from 2000-01-01 to one day ahead.
    public static func window(around now: Int64) -> ClosedRange<Int64> {
        946_684_800_000...(now + UTC.millisPerDay)
    }

    public func decode(_ body: UnsafeBufferPointer<UInt8>, format: Format) throws(JSONSyntaxError) -> [Result<UsageEvent, FieldError>] {
        switch format {
        case .ndjson: return try decodeLines(body)
        case .json, .cloudEvent, .cloudEventBatch:
            var scanner = JSONScanner(body)
            let results = try decodeDocument(&scanner, envelope: format != .json)
            guard scanner.peek() == nil else { throw JSONSyntaxError(message: "unexpected data after the JSON value", offset: scanner.position) }
            return results
        }
    }

    private func decodeDocument(_ scanner: inout JSONScanner, envelope: Bool) throws(JSONSyntaxError) -> [Result<UsageEvent, FieldError>] {
        switch scanner.peek() {
        case UInt8(ascii: "["):
            var results: [Result<UsageEvent, FieldError>] = []
            try scanner.readArray { scanner, index throws(JSONSyntaxError) in
                guard index < Self.maximumEventsPerBatch else {
                    throw JSONSyntaxError(message: "more than \(Self.maximumEventsPerBatch) events in one batch", offset: scanner.position)
                }
                results.append(try decodeElement(&scanner, envelope: envelope))
            }
            return results
        case nil:
            throw JSONSyntaxError(message: "empty body", offset: 0)
        default:
            return [try decodeElement(&scanner, envelope: envelope)]
        }
    }

    private func decodeLines(_ body: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> [Result<UsageEvent, FieldError>] {
        var results: [Result<UsageEvent, FieldError>] = []
        var lineStart = 0
        while lineStart < body.count {
            var lineEnd = lineStart
            while lineEnd < body.count, body[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = UnsafeBufferPointer(rebasing: body[lineStart..<lineEnd])
            var scanner = JSONScanner(line)
            if scanner.peek() != nil {
                guard results.count < Self.maximumEventsPerBatch else {
                    throw JSONSyntaxError(message: "more than \(Self.maximumEventsPerBatch) events in one batch", offset: lineStart)
                }
                do throws(JSONSyntaxError) {
                    results.append(try decodeElement(&scanner, envelope: false))
                    guard scanner.peek() == nil else {
                        throw JSONSyntaxError(message: "unexpected data after the event on this line", offset: scanner.position)
                    }
                } catch {
                    throw JSONSyntaxError(message: "line \(results.count + 1): \(error.message)", offset: lineStart + error.offset)
                }
            }
            lineStart = lineEnd + 1
        }
        guard !results.isEmpty else { throw JSONSyntaxError(message: "empty body", offset: 0) }
        return results
    }

    private func decodeElement(_ scanner: inout JSONScanner, envelope: Bool) throws(JSONSyntaxError) -> Result<UsageEvent, FieldError> {
        guard scanner.peek() == UInt8(ascii: "{") else {
            let value = try scanner.readScalar()
            return .failure(FieldError(code: "invalid_event", message: "an event must be a JSON object, not \(value.kind)"))
        }
        var fields = EventFields()
        if envelope {
            try readEnvelope(&scanner, into: &fields)
        } else {
            try scanner.readObject { scanner, name throws(JSONSyntaxError) in
                fields.take(name, try scanner.readScalar())
            }
        }
        return fields.event(defaultSource: defaultSource, sources: sources, window: window)
    }

    /// A CloudEvents envelope: `id`, `source` and `time` from the envelope, the rest from `data`.
    private func readEnvelope(_ scanner: inout JSONScanner, into fields: inout EventFields) throws(JSONSyntaxError) {
        var envelope = EventFields()
        var sawData = false
        try scanner.readObject { scanner, name throws(JSONSyntaxError) in
            switch name {
            case "id", "source", "time":
                envelope.take(name, try scanner.readScalar())
            case "data":
                sawData = true
                if scanner.peek() == UInt8(ascii: "{") {
                    try scanner.readObject { scanner, member throws(JSONSyntaxError) in
                        fields.take(member, try scanner.readScalar())
                    }
                } else {
                    let value = try scanner.readScalar()
                    envelope.problem = envelope.problem ?? .invalid("data", "must be an object, not \(value.kind)")
                }
            default:
                _ = try scanner.readScalar()
            }
        }
        if !sawData { envelope.problem = envelope.problem ?? .missing("data") }
        fields.problem = envelope.problem ?? fields.problem
        fields.id = envelope.id
        fields.source = envelope.source
        fields.time = envelope.time
    }
}
