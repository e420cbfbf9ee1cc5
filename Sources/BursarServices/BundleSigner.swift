import Crypto
import Foundation

/// Signs bundles with Ed25519. The private key is made on first start and kept beside the
/// database (mode 0600); routers verify with the published public key.
public struct BundleSigner: Sendable {
    /// The private key's raw bytes (the Crypto key type is not Sendable; it is rebuilt to sign,
    /// which happens only when the bundle changes).
    private let rawKey: Data
    /// The first 16 hex digits of the SHA-256 of the public key.
    public let keyID: String
    public let publicKeyBase64: String

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        rawKey = privateKey.rawRepresentation
        keyID = String(SHA256.hash(data: privateKey.publicKey.rawRepresentation).map { String(format: "%02x", $0) }.joined().prefix(16))
        publicKeyBase64 = privateKey.publicKey.rawRepresentation.base64EncodedString()
    }

    /// A new key held only in memory (tests).
    public static func ephemeral() -> BundleSigner { BundleSigner(privateKey: Curve25519.Signing.PrivateKey()) }

    /// Loads the key at `path`, or makes one and saves it there with mode 0600.
    public static func loadOrCreate(path: String) throws -> BundleSigner {
        if let data = FileManager.default.contents(atPath: path) {
            guard let raw = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path])
            }
            return BundleSigner(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        }
        let key = Curve25519.Signing.PrivateKey()
        let created = FileManager.default.createFile(atPath: path, contents: Data(key.rawRepresentation.base64EncodedString().utf8),
                                                     attributes: [.posixPermissions: 0o600])
        guard created else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        return BundleSigner(privateKey: key)
    }

    /// The `Bursar-Signature` header value for these exact bytes.
    public func signatureHeader(for body: [UInt8]) throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
        return "keyid=\(keyID), sig=\(try key.signature(for: body).base64EncodedString())"
    }
}
