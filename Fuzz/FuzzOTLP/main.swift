import BursarCore
import FuzzDriver
import BursarOTLP

/// libFuzzer entry: any bytes as an OTLP trace export, protobuf and JSON, and every span
/// found mapped to an event.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOTLP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let mapper = GenAISpanMapper(tiers: ModelTierMap(policy: nil))
    for decoded in [try? OTLPProtobufDecoder.spans(bytes, maximumSpans: 100_000), try? OTLPJSONDecoder.spans(bytes, maximumSpans: 100_000)] {
        for span in decoded?.spans ?? [] where GenAISpanMapper.isGenAI(span) { _ = mapper.event(span).serialized() }
    }
    return 0
}

FuzzDriver.run(fuzzOTLP)
