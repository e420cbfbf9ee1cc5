/// Jittered exponential backoff: each failure doubles the delay up to a cap, and each delay
/// is drawn from its upper half so that a fleet of routers does not retry in step.
public struct Backoff: Sendable {
    public var minimumSeconds: Double
    public var maximumSeconds: Double
    public private(set) var failures = 0

    public init(minimumSeconds: Double = 0.25, maximumSeconds: Double = 30) {
        self.minimumSeconds = minimumSeconds
        self.maximumSeconds = maximumSeconds
    }

    /// The delay before the next try after one more failure.
    public mutating func nextDelay() -> Double {
        let ceiling = min(maximumSeconds, minimumSeconds * Double(1 << min(failures, 20)))
        failures += 1
        return ceiling * Double.random(in: 0.5...1.0)
    }

    public mutating func reset() { failures = 0 }
}
