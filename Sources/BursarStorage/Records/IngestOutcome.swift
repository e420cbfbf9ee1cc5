/// What happened to one submitted batch once it was committed.
public struct IngestOutcome: Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int

    public init(accepted: Int, duplicates: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}

/// Why a batch was not even queued.
public enum IngestRefusal: Error, Sendable {
    /// The queue is full; try again shortly.
    case overloaded
    /// The writer is shutting down.
    case closed
}

/// Counters for metrics and benchmarks.
public struct IngestStatistics: Sendable {
    public var commits: Int
    public var committedEvents: Int

    public init(commits: Int, committedEvents: Int) {
        self.commits = commits
        self.committedEvents = committedEvents
    }
}
