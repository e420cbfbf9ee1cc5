import BursarCore
import FuzzDriver
import BursarSQLite
import BursarStorage
import BursarServices

/// libFuzzer entry: any bytes as a policy file; reading must report problems, never crash,
/// and a policy it accepts must survive its own JSON and drive the engine.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let reading = PolicyFile.read(text, catalog: nil)
    if let policy = reading.policy {
        let engine = PolicyEngine(policy: policy, revision: "fuzz")
        _ = engine.decide(RoutingRequest(user: "u", team: "t", feature: "f", intent: "i", complexity: 0.5, confidence: 0.5,
                                         pii: size % 2 == 0, keywords: ["k"], contextTokens: Int64(size)), now: 0)
        _ = try? Policy(json: policy.json)
    }
    return 0
}

FuzzDriver.run(fuzzPolicy)
