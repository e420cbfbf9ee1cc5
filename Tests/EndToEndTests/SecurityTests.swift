import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// HTTPS through libmicrohttpd's TLS mode, and keys kept out of the logs.
@Suite(.serialized) struct SecurityTests {
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        try ServerProcess.runProgram(executable, arguments)
    }

    @Test func httpsWithASelfSignedCertificateAndNoKeyInTheLogs() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let (made, output) = try Self.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ])
        #expect(made == 0, "\(output)")
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let log = URL(fileURLWithPath: directory + "/serve.log")
        let server = try ServerProcess(database: database, extraArguments: ["--tls-cert", directory + "/cert.pem", "--tls-key", directory + "/key.pem"],
                                       errorLog: log)
        let url = "https://127.0.0.1:\(server.port)"
        let (status, whoami) = try Self.run("/usr/bin/curl", ["-sS", "--cacert", directory + "/cert.pem", "-H", "Authorization: Bearer \(keys.admin)", url + "/v1/whoami"])
        #expect(status == 0 && whoami.contains(#""role":"admin""#), "\(whoami)")
        let (_, refused) = try Self.run("/usr/bin/curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", directory + "/cert.pem",
                                                          "-H", "Authorization: Bearer bsr_wrong-key", url + "/v1/whoami"])
        #expect(refused == "401")
        let (untrusted, _) = try Self.run("/usr/bin/curl", ["-sS", url + "/healthz"])
        #expect(untrusted != 0, "curl refuses a certificate it was not told to trust")
        let (plain, _) = try Self.run("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(server.port)/healthz"])
        #expect(plain != 0, "no plain HTTP on the TLS port")
        let events = #"[{"id":"tls-1","time":"\#(Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000)))","provider":"openai","model":"gpt-4o-mini","tier":"standard","input_tokens":10,"output_tokens":5}]"#
        let (shipped, answer) = try Self.run("/usr/bin/curl", ["-sS", "--cacert", directory + "/cert.pem", "-H", "Authorization: Bearer \(keys.router)",
                                                               "-H", "Content-Type: application/json", "-d", events, url + "/v1/events"])
        #expect(shipped == 0 && answer.contains(#""accepted":1"#), "\(answer)")
        #expect(server.terminate() == 0)

        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.contains("listening on https://"))
        for secret in [keys.admin, keys.router, "bsr_wrong-key"] {
            #expect(!logged.contains(secret), "a key appeared in the log")
            #expect(!logged.contains(String(secret.dropFirst(4).prefix(12))), "part of a key appeared in the log")
        }
    }

    @Test func theRouterSDKSpeaksHTTPSToAHostNameAndVerifiesTheCertificate() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let certificate = try TestCertificate(in: directory)
        let other = try TestCertificate(in: directory, name: "other")
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database, extraArguments: ["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath])
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        let url = "https://localhost:\(server.port)"
        // Pinned to the right CA: the bundle arrives and events are accepted.
        let client = try RouterClient(url: url, key: keys.router, instanceID: "tls-edge", stateDirectory: nil,
                                      caFile: certificate.certificatePath) { bundles, _ in bundles.waitSeconds = 1 }
        client.start()
        defer { client.close() }
        #expect(client.bundles.wait(timeout: 15) { $0.origin == .server })
        var event = UsageEvent(id: "tls-1", source: "", time: Int64(Date().timeIntervalSince1970 * 1000) - 1000, model: "gpt-4o-mini",
                               provider: "openai", tier: "standard", inputTokens: 10, outputTokens: 2)
        event.user = "tls"
        client.events.ship(event)
        #expect(client.events.flush(timeout: 15))
        #expect(client.events.statistics.accepted == 1)
        // Pinned to another CA, or trusting only the system's store: nothing is taken from it.
        for caFile in [other.certificatePath, nil] {
            let distrusting = try RouterClient(url: url, key: keys.router, instanceID: "tls-distrust", stateDirectory: nil,
                                               caFile: caFile) { bundles, _ in bundles.waitSeconds = 1 }
            distrusting.start()
            #expect(!distrusting.bundles.wait(timeout: 2) { _ in true }, "no bundle over an unverified connection")
            distrusting.close(timeout: 1)
        }
    }

    @Test func theRouterSDKRefusesACertificateForAnotherNameEvenFromThePinnedCA() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        // Valid for localhost only, not for 127.0.0.1.
        let certificate = try TestCertificate(in: directory, names: "DNS:localhost")
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database, extraArguments: ["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath])
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        for (host, trusted) in [("localhost", true), ("127.0.0.1", false)] {
            let client = try RouterClient(url: "https://\(host):\(server.port)", key: keys.router, instanceID: "tls-\(host)", stateDirectory: nil,
                                          caFile: certificate.certificatePath) { bundles, _ in bundles.waitSeconds = 1 }
            client.start()
            #expect(client.bundles.wait(timeout: trusted ? 15 : 2) { $0.origin == .server } == trusted, "\(host)")
            client.close(timeout: 1)
        }
    }
}
