import BursarCore
import FuzzDriver

/// libFuzzer entry: any bytes as NDJSON (the line splitter and each line's decoding), and as
/// LiteLLM's bodies (array, object or NDJSON).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzNDJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let decoder = EventBatchDecoder(defaultSource: "fuzz", window: EventBatchDecoder.window(around: 1_795_000_000_000))
    _ = try? decoder.decode(bytes, format: .ndjson)
    _ = try? LiteLLMPayload.forEachPayload(in: Array(bytes), maximumCount: EventBatchDecoder.maximumEventsPerBatch) { payload in
        _ = LiteLLMPayload.event(payload, tiers: ModelTierMap(policy: nil), policyTiers: [])
    }
    return 0
}

FuzzDriver.run(fuzzNDJSON)
