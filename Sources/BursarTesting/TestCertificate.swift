import Foundation

/// A self-signed certificate made with openssl, for TLS tests: for `localhost` and 127.0.0.1,
/// or only the names given (`DNS:localhost`).
public struct TestCertificate {
    public let certificatePath: String
    public let keyPath: String

    public init(in directory: String, name: String = "server", names: String = "DNS:localhost,IP:127.0.0.1") throws {
        certificatePath = directory + "/\(name)-cert.pem"
        keyPath = directory + "/\(name)-key.pem"
        let (status, output) = try ServerProcess.runProgram("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=\(names)", "-keyout", keyPath, "-out", certificatePath,
        ])
        guard status == 0 else { throw ServerProcess.Failure(description: "openssl failed: \(output)") }
    }

    public var certificatePEM: String { (try? String(contentsOfFile: certificatePath, encoding: .utf8)) ?? "" }
    public var keyPEM: String { (try? String(contentsOfFile: keyPath, encoding: .utf8)) ?? "" }
}
