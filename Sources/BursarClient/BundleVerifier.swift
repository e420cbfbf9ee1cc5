import Crypto
import Foundation

/// Checks a bundle's `Bursar-Signature` (Ed25519 over the exact body bytes) against a
/// public key published at `/v1/bundle/keys`.
public enum BundleVerifier {
    /// The key id and signature from `keyid=…, sig=…`.
    public static func parts(of header: String) -> (keyID: String?, signature: String?) {
        var keyID: String?
        var signature: String?
        for part in header.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if part.hasPrefix("keyid=") { keyID = String(part.dropFirst(6)) }
            if part.hasPrefix("sig=") { signature = String(part.dropFirst(4)) }
        }
        return (keyID, signature)
    }

    public static func verify(header: String, body: [UInt8], publicKeyBase64: String) -> Bool {
        guard let signature = parts(of: header).signature,
              let signatureBytes = Data(base64Encoded: signature),
              let keyBytes = Data(base64Encoded: publicKeyBase64),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else { return false }
        return key.isValidSignature(signatureBytes, for: Data(body))
    }
}
