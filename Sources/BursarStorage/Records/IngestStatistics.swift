/// Counters for metrics and benchmarks.
public struct IngestStatistics: Sendable {
    public var commits: Int
    public var committedEvents: Int

    public init(commits: Int, committedEvents: Int) {
        self.commits = commits
        self.committedEvents = committedEvents
    }
}
