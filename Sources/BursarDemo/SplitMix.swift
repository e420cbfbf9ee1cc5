import BursarCore
import Foundation

/// The seeded generator of the demo traffic (BursarCore's SplitMix64), so that it is the same
/// run after run, with the draws the demo makes.
public struct SplitMix: RandomNumberGenerator {
    private var core: SeededRandom

    public init(seed: UInt64) {
        core = SeededRandom(seed: seed)
    }

    public mutating func next() -> UInt64 {
        core.next()
    }

    public mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    /// Log-normal around `median` (a rough spread of latencies).
    public mutating func logNormal(median: Double, spread: Double) -> Double {
        let u1 = max(Double.random(in: 0..<1, using: &self), 1e-12)
        let u2 = Double.random(in: 0..<1, using: &self)
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return median * exp(spread * normal)
    }
}
