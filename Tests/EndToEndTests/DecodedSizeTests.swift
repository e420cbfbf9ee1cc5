import BursarCore
import BursarTesting
import Foundation
import Testing

/// What a small body decodes into is bounded: a few kilobytes of gzip can inflate to 64 MiB
/// of values that each cost far more decoded than their two bytes on the wire. The real
/// server, in a process of its own, so that its peak memory is its own.
@Suite(.serialized) struct DecodedSizeTests {
    /// The most the server may have held at once while refusing such a body (before the bound,
    /// a 61 KB LiteLLM body took it past 9 GB and a 40 KB OTLP body asked for 2.5 GB at once).
    static let peakLimit = 1024 * 1024 * 1024

    /// The peak resident memory of a process (`VmHWM`), in bytes.
    static func peakResidentBytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let directory = RouterSDKTests.temporaryDirectory()
        let path = directory + "/body"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (status, _) = try ServerProcess.runProgram("/bin/gzip", ["-9", path])
        #expect(status == 0)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
    }

    static func server() throws -> (ServerProcess, String) {
        let database = RouterSDKTests.temporaryDirectory() + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        return (try ServerProcess(database: database), keys.router)
    }

    /// `[0,0,…]`: 33 million values in 66 MB, under the 64 MiB inflation bound.
    static func zeros(_ count: Int) -> [UInt8] {
        var body = [UInt8](repeating: UInt8(ascii: ","), count: count * 2 + 1)
        body.withUnsafeMutableBufferPointer { bytes in
            bytes[0] = UInt8(ascii: "[")
            for index in 0..<count { bytes[index * 2 + 1] = UInt8(ascii: "0") }
            bytes[count * 2] = UInt8(ascii: "]")
        }
        return body
    }

    @Test func aLiteLLMBodyOfZerosIsRefusedAtTheBatchLimitWithoutDecodingTheRest() throws {
        let body = try Self.gzip(Self.zeros(33_000_000))
        #expect(body.count < 100_000, "a small body: \(body.count) bytes")
        let (server, key) = try Self.server()
        let reply = try server.connection().send("POST", "/v1/integrations/litellm", headers: [
            "Authorization": "Bearer \(key)", "Content-Type": "application/json", "Content-Encoding": "gzip"], body: body)
        #expect(reply.status == 413 && reply.text.contains("batch_too_large"), "\(reply.status) \(reply.text.prefix(300))")
        let peak = Self.peakResidentBytes(server.process.processIdentifier)
        #expect(peak > 0 && peak < Self.peakLimit, "peak resident memory \(peak / 1024 / 1024) MiB")
        #expect(try server.connection().send("GET", "/healthz").status == 200)
        #expect(server.terminate() == 0)
    }

    @Test func anOTLPExportOfEmptySpansIsMeasuredBeforeItIsDecoded() throws {
        // ExportTraceServiceRequest { resource_spans { scope_spans { spans {} × 30 million } } }
        let spans = 30_000_000
        func lengthDelimited(_ field: UInt8, _ length: Int) -> [UInt8] {
            var bytes = [field << 3 | 2]
            var value = length
            while value >= 0x80 { bytes.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
            bytes.append(UInt8(value))
            return bytes
        }
        var inner = [UInt8](repeating: 0, count: spans * 2)
        inner.withUnsafeMutableBufferPointer { bytes in
            for index in stride(from: 0, to: bytes.count, by: 2) { bytes[index] = 0x12 }
        }
        let scope = lengthDelimited(2, inner.count) + inner
        let resource = lengthDelimited(2, scope.count) + scope
        let request = lengthDelimited(1, resource.count) + resource
        let body = try Self.gzip(request)
        #expect(body.count < 100_000, "a small body: \(body.count) bytes")
        let (server, key) = try Self.server()
        let reply = try server.connection().send("POST", "/v1/traces", headers: [
            "Authorization": "Bearer \(key)", "Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"], body: body)
        #expect(reply.status == 413, "\(reply.status)")
        let peak = Self.peakResidentBytes(server.process.processIdentifier)
        #expect(peak > 0 && peak < Self.peakLimit, "peak resident memory \(peak / 1024 / 1024) MiB")
        #expect(try server.connection().send("GET", "/healthz").status == 200)
        #expect(server.terminate() == 0)
    }
}
