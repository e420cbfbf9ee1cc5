import BursarCore
import FuzzDriver

/// libFuzzer entry: any bytes as a JSON event batch (and as CloudEvents); decoding must
/// answer (events or field errors, or a syntax error), never crash.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzEventDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let decoder = EventBatchDecoder(defaultSource: "fuzz", window: EventBatchDecoder.window(around: 1_795_000_000_000))
    for format in [EventBatchDecoder.Format.json, .cloudEvent, .cloudEventBatch] {
        _ = try? decoder.decode(bytes, format: format)
    }
    return 0
}

FuzzDriver.run(fuzzEventDecoder)
