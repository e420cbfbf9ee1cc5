/// A database that cannot be used as asked: missing, or not migrated to this Bursar's schema.
public struct DatabaseNotReady: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
