import BursarCore

/// Raw events read back for a policy simulation.
public protocol ReplayReader: Sendable {
    /// Each first attempt (attempt 1, or none given) in `[from, to)`, in time order, with the
    /// cost recorded for it when it arrived.
    func forEachFirstAttempt(from: Int64, to: Int64, _ body: (UsageEvent, EventCost) throws -> Void) throws
}
