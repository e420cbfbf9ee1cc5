import BursarCore
import Crypto
import Foundation

/// API key secrets: made at random, shown once, stored only as their SHA-256.
package enum KeySecret {
    package static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "bsr_" + base64
    }

    package static func digest(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// Compares in time that depends only on the length, so timing tells nothing of a secret.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// What a key's creation writes to the audit log.
    package static func createdAudit(name: String, role: Role, sources: SourceGrant?) -> JSONValue {
        .object([("name", .string(name)), ("role", .string(role.rawValue)), ("sources", .string((sources ?? .own(name)).text))])
    }

    /// What a key's revocation writes to the audit log (before and after).
    package static func activeAudit(name: String, _ active: Bool) -> JSONValue {
        .object([("name", .string(name)), ("active", .bool(active))])
    }
}
