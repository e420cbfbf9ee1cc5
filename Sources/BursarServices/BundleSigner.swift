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

    /// A signer of the key stored as base64 text (nil when the text is not such a key).
    public init?(stored text: String) {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else { return nil }
        self.init(privateKey: key)
    }

    /// A new private key as base64 text, the form `init(stored:)` reads.
    public static func newStoredKey() -> String {
        Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
    }

    /// Loads the key at `path`, or makes one and saves it there with mode 0600.
    public static func loadOrCreate(path: String) throws -> BundleSigner {
        if let data = FileManager.default.contents(atPath: path) {
            guard let signer = BundleSigner(stored: String(decoding: data, as: UTF8.self)) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path])
            }
            return signer
        }
        let key = newStoredKey()
        let created = FileManager.default.createFile(atPath: path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600])
        guard created, let signer = BundleSigner(stored: key) else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        return signer
    }

    /// The `Bursar-Signature` header value for these exact bytes.
    public func signatureHeader(for body: [UInt8]) throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
        return "keyid=\(keyID), sig=\(try key.signature(for: body).base64EncodedString())"
    }
}
