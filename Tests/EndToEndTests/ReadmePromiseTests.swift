import BursarCore
import BursarHTTPClient
import BursarOTLP
import BursarTesting
import Foundation
import HTTPToolkit
import Locking
import Testing

/// README sentences that no other test would notice breaking.
@Suite struct ReadmePromiseTests {
    @Test func serveCommitsWithSynchronousFullUnlessToldOtherwise() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let server = try ServerProcess(database: directory + "/bursar.db")
        #expect(server.startLine.contains("synchronous=FULL"), "\(server.startLine)")
        #expect(server.terminate() == 0)
        let normal = try ServerProcess(database: directory + "/bursar.db", extraArguments: ["--durability", "normal"])
        #expect(normal.startLine.contains("synchronous=NORMAL"), "\(normal.startLine)")
        #expect(normal.terminate() == 0)
    }

    @Test func theSigningKeyIsKeptAcrossRestartsReadableByItsOwnerOnly() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        func keyIDs(_ server: ServerProcess) throws -> String {
            try server.connection().send("GET", "/v1/bundle/keys", headers: ["Authorization": "Bearer \(keys.router)"]).text
        }
        let first = try ServerProcess(database: database)
        let published = try keyIDs(first)
        #expect(first.terminate() == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: database + ".signing-key")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600, "mode \(String(mode?.intValue ?? -1, radix: 8))")
        let second = try ServerProcess(database: database)
        #expect(try keyIDs(second) == published, "the same key after a restart")
        #expect(second.terminate() == 0)
    }

    @Test func heldLongPollsAreAnsweredOnSIGTERM() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database)
        let etag = try #require(try server.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)"]).headers["etag"])
        let answered = DispatchSemaphore(value: 0)
        let status = Locked(0)
        let port = server.port
        Thread.detachNewThread {
            let connection = HTTPConnection(host: "127.0.0.1", port: port)
            connection.timeoutSeconds = 30  // half the wait: only an answer to SIGTERM arrives in time
            let reply = try? connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)", "If-None-Match": etag,
                                                                              "Prefer": "wait=60"])
            status.withLock { $0 = reply?.status ?? -1 }
            answered.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(server.process.processIdentifier, SIGTERM)
        #expect(answered.wait(timeout: .now() + 40) == .success)
        #expect(status.withLock { $0 } == 304, "the held poll is answered, not cut")
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    @Test func aGzipBodyInflatingPast64MiBIsRefused() throws {
        let app = try TestApp()
        let body = try DecodedSizeTests.gzip([UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024 * 1024 + 1))
        let request = app.api.respond(to: Request(method: "POST", path: "/v1/events", headers: [
            "Authorization": "Bearer \(app.routerKey)", "Content-Type": "application/json", "Content-Encoding": "gzip"], body: body)).wait()
        #expect(request.status == 413 && request.bodyText.contains("inflates to more than 64 MiB"), "\(request.bodyText)")
    }

    @Test func liteLLMAndOTLPFailuresAreStoredAsTheirStatuses() throws {
        let app = try TestApp()
        let now = Date().timeIntervalSince1970 - 30
        func payload(_ id: String, _ code: String) -> String {
            #"{"id":"\#(id)","trace_id":"\#(id)","status":"failure","error_information":{"error_code":"\#(code)"},"custom_llm_provider":"openai","model":"gpt-4o-mini","startTime":\#(now),"endTime":\#(now + 1),"prompt_tokens":0,"completion_tokens":0}"#
        }
        let body = "[" + [payload("l-429", "429"), payload("l-408", "408"), payload("l-500", "500")].joined(separator: ",") + "]"
        #expect(app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(body.utf8)).status == 200)
        for (id, status) in [("l-429", "rate_limited"), ("l-408", "timeout"), ("l-500", "error")] {
            let found = try app.getJSON("/v1/events?request_id=\(id)")
            let stored = (found["events"] as? [[String: Any]])?.first?["status"] as? String
            #expect(stored == status, "\(id): \(found)")
        }
        let start = UInt64(now * 1e9)
        func span(_ id: String, _ errorType: String) -> String {
            #"{"traceId":"\#(id)","spanId":"0102030405060708","name":"chat","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(start + 1_000_000_000)","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1"}},{"key":"error.type","value":{"stringValue":"\#(errorType)"}}]}"#
        }
        let traces = #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + span("0102030405060708090a0b0c0d0e0f10", "timeout") + ","
            + span("0102030405060708090a0b0c0d0e0f11", "overloaded") + "]}]}]}"
        #expect(app.send("POST", "/v1/traces", key: app.routerKey, body: Array(traces.utf8)).status == 200)
        for (id, status) in [("0102030405060708090a0b0c0d0e0f10", "timeout"), ("0102030405060708090a0b0c0d0e0f11", "error")] {
            let found = try app.getJSON("/v1/events?request_id=\(id)")
            #expect((found["events"] as? [[String: Any]])?.first?["status"] as? String == status, "\(id): \(found)")
        }
    }
}
