import BursarCore
import Foundation
import Testing

@Suite struct EventDecodingTests {
    /// A sender that may write `router-key`, `router-7` and `s`.
    let decoder = EventBatchDecoder(defaultSource: "router-key", sources: SourceGrant(parsing: "router-key,router-7,s"),
                                    window: EventBatchDecoder.window(around: 1_795_375_926_000))

    func decode(_ text: String, _ format: EventBatchDecoder.Format = .json) throws -> [Result<UsageEvent, FieldError>] {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try decoder.decode(UnsafeBufferPointer($0), format: format) }
    }

    let valid = #"{"id":"a","time":"2026-11-20T10:00:00Z","model":"gpt-4o","provider":"openai","tier":"frontier","input_tokens":10,"output_tokens":5"#

    @Test func readsEveryField() throws {
        let text = valid + #","user":"u","team":"t","feature":"f","cached_input_tokens":4,"reasoning_tokens":2,"cost_usd":0.000123,"latency_ms":812.6,"ttft_ms":90,"status":"invalid_output","request_id":"r","attempt":2,"reason":"escalation","rule":"complex","policy_revision":"abc","intent":"faq","complexity":0.7,"confidence":0.5,"pii":false,"context_tokens":900,"unknown":{"nested":[1,2]}}"#
        let event = try #require(try decode(text).first?.get())
        #expect(event.source == "router-key")
        #expect(event.user == "u" && event.team == "t" && event.feature == "f")
        #expect(event.cachedInputTokens == 4 && event.reasoningTokens == 2)
        #expect(event.reportedCost == Money(nanos: 123_000))
        #expect(event.latencyMillis == 813 && event.timeToFirstTokenMillis == 90)
        #expect(event.status == .invalidOutput && event.reason == .escalation && event.attempt == 2)
        #expect(event.complexity == 0.7 && event.confidence == 0.5 && event.pii == false && event.contextTokens == 900)
        #expect(!event.isFirstAttempt)
    }

    @Test(arguments: [
        (#"{"time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1}"#, "id"),
        (#"{"id":"a","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1}"#, "time"),
        (#"{"id":"a","time":"9999-01-01T00:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1}"#, "time"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":-1,"output_tokens":1}"#, "input_tokens"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1.5,"output_tokens":1}"#, "input_tokens"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":"1"}"#, "output_tokens"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"cached_input_tokens":2}"#, "cached_input_tokens"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"reasoning_tokens":2}"#, "reasoning_tokens"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"status":"meh"}"#, "status"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"complexity":1.5}"#, "complexity"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"pii":"yes"}"#, "pii"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"cost_usd":-1}"#, "cost_usd"),
        (#"{"id":"a","time":"2026-11-20T10:00:00Z","model":"m","provider":"p","tier":"t","input_tokens":1,"output_tokens":1,"attempt":0}"#, "attempt"),
    ])
    func namesTheFieldThatIsWrong(text: String, field: String) throws {
        let result = try #require(try decode(text).first)
        guard case .failure(let error) = result else {
            Issue.record("expected a rejection naming \(field)")
            return
        }
        #expect(error.field == field)
    }

    @Test func aBadEventDoesNotSpoilTheBatch() throws {
        let results = try decode("[" + valid + "}, 42, {\"id\":\"b\"}, " + valid.replacingOccurrences(of: "\"a\"", with: "\"c\"") + "}]")
        #expect(results.count == 4)
        #expect((try? results[0].get()) != nil)
        #expect((try? results[1].get()) == nil)
        #expect((try? results[2].get()) == nil)
        #expect((try? results[3].get())?.id == "c")
    }

    @Test(arguments: ["", "[", "{\"id\":}", "[1,]", "{\"a\":\"\u{01}\"}", "[] []", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)])
    func malformedJSONRejectsTheBody(text: String) {
        #expect(throws: JSONSyntaxError.self) { try decode(text) }
    }

    @Test func invalidUTF8IsRejected() {
        var bytes = Array("[{\"id\":\"".utf8) + [0xFF, 0xFE] + Array("\"}]".utf8)
        #expect(throws: JSONSyntaxError.self) {
            try bytes.withUnsafeMutableBufferPointer { try decoder.decode(UnsafeBufferPointer($0), format: .json) }
        }
    }

    @Test func escapesAreDecoded() throws {
        let text = valid.replacingOccurrences(of: "\"id\":\"a\"", with: #""id":"a\"b\u00e9\ud83d\ude00""#) + "}"
        let event = try #require(try decode(text).first?.get())
        #expect(event.id == "a\"bé😀")
    }

    @Test func ndjsonHasOneEventPerLine() throws {
        let text = valid + "}\n\n" + valid.replacingOccurrences(of: "\"a\"", with: "\"b\"") + "}\r\n"
        let results = try decode(text, .ndjson)
        #expect(results.compactMap { try? $0.get().id } == ["a", "b"])
    }

    @Test func cloudEventsTakeIdentityFromTheEnvelope() throws {
        let data = #"{"model":"gpt-4o","provider":"openai","tier":"frontier","input_tokens":10,"output_tokens":5,"id":"ignored"}"#
        // The envelope's source is checked against the sender's grant like any other.
        let envelope = #"{"specversion":"1.0","type":"bursar.usage","id":"ce-1","source":"router-7","time":"2026-11-20T10:00:00Z","data":"# + data + "}"
        let single = try #require(try decode(envelope, .cloudEvent).first?.get())
        #expect(single.id == "ce-1" && single.source == "router-7")
        let batch = try decode("[" + envelope + "," + envelope.replacingOccurrences(of: "ce-1", with: "ce-2") + "]", .cloudEventBatch)
        #expect(batch.compactMap { try? $0.get().id } == ["ce-1", "ce-2"])
        let noData = try decode(#"{"id":"x","source":"s","time":"2026-11-20T10:00:00Z"}"#, .cloudEvent)
        guard case .failure(let error) = noData[0] else { Issue.record("expected a rejection"); return }
        #expect(error.field == "data")
    }

    @Test func aSourceTheSenderDoesNotOwnIsRejectedPerEvent() throws {
        let text = "[" + [valid + #","source":"router-key"}"#, valid.replacingOccurrences(of: #""a""#, with: #""b""#) + #","source":"router-8"}"#,
                          valid.replacingOccurrences(of: #""a""#, with: #""c""#) + "}"].joined(separator: ",") + "]"
        let results = try decode(text)
        #expect((try? results[0].get().source) == "router-key")
        guard case .failure(let error) = results[1] else { Issue.record("router-8 is not the sender's"); return }
        #expect(error.field == "source" && error.code == "foreign_source")
        #expect((try? results[2].get().source) == "router-key", "no source: the key's own")
        let grant = try #require(SourceGrant(parsing: "checkout, eu-router-*"))
        #expect(grant.allows("checkout") && grant.allows("eu-router-7") && !grant.allows("us-router-1") && !grant.allows("checkout2"))
        #expect(SourceGrant(parsing: "a,,b") == nil && SourceGrant(parsing: "a*b") == nil && SourceGrant(parsing: "") == nil)
        #expect(SourceGrant(parsing: "*")?.allows("anything") == true)
    }

    @Test func eventJSONRoundTrips() throws {
        var event = UsageEvent(id: "x", source: "s", time: 1_795_375_926_000, model: "m", provider: "p", tier: "fast",
                               inputTokens: 10, outputTokens: 3)
        event.user = "u"
        event.reportedCost = Money(nanos: 17)
        event.confidence = 0.5
        event.reason = .fallback
        event.attempt = 2
        let bytes = event.json.serialized()
        let decoded = try bytes.withUnsafeBufferPointer { try decoder.decode($0, format: .json) }
        #expect(try decoded[0].get() == event)
    }
}
