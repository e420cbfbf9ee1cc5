/// A line-by-line difference between two texts (longest common subsequence), for showing
/// what changed between two policy versions.
public enum LineDiff {
    public enum Line: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)

        /// `  line`, `- line` or `+ line`.
        public var rendered: String {
            switch self {
            case .same(let text): return "  " + text
            case .removed(let text): return "- " + text
            case .added(let text): return "+ " + text
            }
        }
    }

    /// The most cells of the longest-common-subsequence table worked out for the changed
    /// middle of two texts; past it the middle is shown removed, then added. A diff of any two
    /// stored policies therefore costs linear time beyond this fixed amount.
    public static let maximumTableCells = 4_000_000

    public static func lines(from old: String, to new: String) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middle = Self.middle(Array(a[prefix..<(a.count - suffix)]), Array(b[prefix..<(b.count - suffix)]))
        return a[..<prefix].map(Line.same) + middle + a[(a.count - suffix)...].map(Line.same)
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Line] {
        guard (a.count + 1).multipliedReportingOverflow(by: b.count + 1).partialValue <= maximumTableCells,
              a.count < maximumTableCells, b.count < maximumTableCells else {
            return a.map(Line.removed) + b.map(Line.added)
        }
        // lengths[i * width + j]: the longest common subsequence of a[i...] and b[j...].
        let width = b.count + 1
        var lengths = [Int32](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i * width + j] = a[i] == b[j] ? lengths[(i + 1) * width + j + 1] + 1
                    : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                result.append(.same(a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                result.append(.removed(a[i])); i += 1
            } else {
                result.append(.added(b[j])); j += 1
            }
        }
        return result
    }
}
