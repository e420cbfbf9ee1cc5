/// A stored row that does not read as the code expects: a column missing, NULL or of another type.
public struct SQLRowError: Error, CustomStringConvertible {
    public let column: String
    public let problem: String

    public var description: String { "column \(column) \(problem)" }
}
