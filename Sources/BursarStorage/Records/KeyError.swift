import BursarCore

/// Why a key could not be made or changed.
public enum KeyError: Error, CustomStringConvertible, Sendable {
    case nameTaken(String)
    case notFound(String)
    case invalidName
    case invalidSources(String)
    case lastAdminKey(String)

    public var description: String {
        switch self {
        case .nameTaken(let name): return "an active key named '\(name)' already exists"
        case .notFound(let name): return "no active key named '\(name)'"
        case .invalidName: return "a key name is 1 to 100 characters"
        case .lastAdminKey(let name):
            return "'\(name)' is the last active admin key: create another admin key before revoking it"
        case .invalidSources(let text):
            return "'\(text)' is no list of sources: names and prefixes ending in * (a,b,eu-*), at most \(SourceGrant.maximumEntries)"
        }
    }
}
