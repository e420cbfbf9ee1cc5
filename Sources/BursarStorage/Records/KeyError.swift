import BursarCore

/// Why a key could not be made or changed.
public enum KeyError: Error, CustomStringConvertible, Sendable {
    case nameTaken(String)
    case notFound(String)
    case invalidName
    case invalidSources(String)
    case lastAdminKey(String)

    /// The longest key name, in UTF-8 bytes (a name is stored, logged and shown everywhere).
    public static let maximumNameBytes = 100

    /// Refuses a name that is empty, longer than `maximumNameBytes` bytes or holds a control
    /// character (C0, DEL, C1, line and paragraph separators): a key's name is written into
    /// the access log and shown in the dashboard.
    public static func check(name: String) throws(KeyError) {
        guard StoredText.problem(name, maximumBytes: maximumNameBytes, isName: true) == nil else { throw .invalidName }
    }

    public var description: String {
        switch self {
        case .nameTaken(let name): return "an active key named '\(name)' already exists"
        case .notFound(let name): return "no active key named '\(name)'"
        case .invalidName: return "a key name is 1 to \(Self.maximumNameBytes) bytes of UTF-8 with no control characters"
        case .lastAdminKey(let name):
            return "'\(name)' is the last active admin key: create another admin key before revoking it"
        case .invalidSources(let text):
            return "'\(text)' is no list of sources: names and prefixes ending in * (a,b,eu-*), at most \(SourceGrant.maximumEntries)"
        }
    }
}
