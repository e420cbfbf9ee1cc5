import BursarCore
import BursarHTTP
import HTTPToolkit
import BursarSQLite
import BursarStorage
import BursarServices
import FuzzDriver
import Foundation
import Logging

/// One Bursar API on an in-memory database, with a key of each role that inputs may name as
/// `Bearer admin`, `Bearer viewer` or `Bearer router`.
let database = try! SQLiteDatabase()
let secrets = [
    "admin": try! database.createKey(name: "fuzz-admin", role: .admin),
    "viewer": try! database.createKey(name: "fuzz-viewer", role: .viewer),
    "router": try! database.createKey(name: "fuzz-router", role: .router),
]
let application = Application(storage: database, ingest: IngestWriter(database: database, logger: Logger(label: "fuzz")), signer: BundleSigner.ephemeral(),
                              clock: database.clock, options: Application.Options(baselineModel: ModelKey(provider: "openai", model: "gpt-4o")),
                              logger: Logger(label: "bursar.fuzz"))
let api = BursarAPI(application: application, web: nil)
// Started, as serve starts it: a bundle is published and the writer commits.
try! application.start()

/// libFuzzer entry: any bytes as a request head (`METHOD TARGET` on the first line, then
/// `Name: value` lines, then an optional body after an empty line), through the head checks
/// and the router: every answer must be a response, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRequestHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstRange(of: Array("\n\n".utf8))
    let head = String(decoding: split.map { bytes[..<$0.lowerBound] } ?? bytes[...], as: UTF8.self)
    let body = split.map { Array(bytes[$0.upperBound...]) } ?? []
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard !lines.isEmpty else { return 0 }
    let requestLine = lines.removeFirst().split(separator: " ", maxSplits: 1).map(String.init)
    let method = requestLine.first ?? "GET"
    let target = requestLine.count > 1 ? requestLine[1] : "/"
    var headers: [String: String] = [:]
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        var value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        for (role, secret) in secrets { value = value.replacingOccurrences(of: "Bearer \(role)", with: "Bearer \(secret)") }
        headers[String(line[..<colon])] = value
    }
    // A long poll would hold its answer for a minute; the head checks are what is fuzzed here.
    headers = headers.filter { $0.key.lowercased() != "prefer" }
    _ = api.quickResponse(method: method, path: target, header: { name in headers.first { $0.key.lowercased() == name.lowercased() }?.value })
    _ = api.admit(id: "fuzz", method: method, path: target, header: { name in headers.first { $0.key.lowercased() == name.lowercased() }?.value })
    let request = Request(method: method, target: target, headers: headers, body: body)
    if case .response(let response) = api.respond(to: request) {
        precondition((100..<600).contains(response.status), "status \(response.status)")
    }
    return 0
}

FuzzDriver.run(fuzzRequestHead)
