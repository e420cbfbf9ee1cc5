/// SplitMix64: a small random generator whose sequence depends only on its seed, so that a
/// generated corpus is the same on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return Self.mix(state)
    }

    /// SplitMix64's finalizer: spreads nearby inputs over all 64 bits (wrapping by design).
    public static func mix(_ input: UInt64) -> UInt64 {
        var value = input
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }

    /// True with probability `chance`.
    public mutating func chance(_ chance: Double) -> Bool {
        Double(next() >> 11) / Double(UInt64(1) << 53) < chance
    }

    public mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int(next() % UInt64(choices.count))]
    }

    /// A number of `in` (inclusive bounds).
    public mutating func number(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// Up to `count` distinct elements, in a random order.
    public mutating func some<T>(_ choices: [T], count: Int) -> [T] {
        var pool = choices
        var chosen: [T] = []
        while chosen.count < count, !pool.isEmpty { chosen.append(pool.remove(at: Int(next() % UInt64(pool.count)))) }
        return chosen
    }

    /// A fraction with `decimals` decimals, from 0 to 1.
    public mutating func fraction(decimals: Int = 2) -> Double {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        return Double(number(0...scale)) / Double(scale)
    }
}
