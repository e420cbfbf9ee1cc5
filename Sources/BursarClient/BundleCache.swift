import Foundation

/// The last good bundle on disk (its exact bytes, ETag, signature and the key it verified
/// with), so that a router starting while Bursar is unreachable routes by it.
///
/// Files are replaced by rename, so a crash leaves either the old bundle or the new one.
public struct BundleCache: Sendable {
    public struct Entry: Sendable, Equatable {
        public var body: [UInt8]
        public var etag: String
        public var signature: String
        public var publicKey: String
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    private var bodyPath: String { directory + "/bundle.json" }
    private var metaPath: String { directory + "/bundle.meta" }

    public func load() -> Entry? {
        guard let body = FileManager.default.contents(atPath: bodyPath),
              let meta = FileManager.default.contents(atPath: metaPath) else { return nil }
        let lines = String(decoding: meta, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { return nil }
        return Entry(body: Array(body), etag: lines[0], signature: lines[1], publicKey: lines[2])
    }

    public func save(_ entry: Entry) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The body first: a metadata file always describes a body at least as new.
        try Self.replace(bodyPath, with: Data(entry.body))
        try Self.replace(metaPath, with: Data("\(entry.etag)\n\(entry.signature)\n\(entry.publicKey)\n".utf8))
    }

    /// Writes to a temporary file, flushes it, and renames it over `path`.
    static func replace(_ path: String, with data: Data) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
