/// Something wrong (or worth a look) in a policy, with where it is.
public struct PolicyProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public var severity: Severity
    /// The field's path, such as `rules[2].tier`.
    public var field: String
    public var message: String
    /// 1-based line in the file, when the policy came from one.
    public var line: Int?

    public init(_ severity: Severity, field: String, message: String, line: Int? = nil) {
        self.severity = severity
        self.field = field
        self.message = message
        self.line = line
    }

    public var description: String {
        "\(line.map { "line \($0): " } ?? "")\(severity.rawValue): \(field): \(message)"
    }
}
