import BursarCore

/// Why a policy version could not be stored or activated.
public enum PolicyError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case invalid([PolicyProblem])

    public var description: String {
        switch self {
        case .notFound(let revision): return "no policy version \(revision)"
        case .invalid(let problems): return problems.map(\.description).joined(separator: "; ")
        }
    }
}
