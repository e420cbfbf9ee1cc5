import Foundation

/// A self-signed certificate for `localhost` and 127.0.0.1 made with openssl, for TLS tests.
public struct TestCertificate {
    public let certificatePath: String
    public let keyPath: String

    public init(in directory: String, name: String = "server") throws {
        certificatePath = directory + "/\(name)-cert.pem"
        keyPath = directory + "/\(name)-key.pem"
        let (status, output) = try ServerProcess.runProgram("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", keyPath, "-out", certificatePath,
        ])
        guard status == 0 else { throw ServerProcess.Failure(description: "openssl failed: \(output)") }
    }

    public var certificatePEM: String { (try? String(contentsOfFile: certificatePath, encoding: .utf8)) ?? "" }
    public var keyPEM: String { (try? String(contentsOfFile: keyPath, encoding: .utf8)) ?? "" }
}
