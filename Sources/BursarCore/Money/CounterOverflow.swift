/// A sum that does not fit in 64 bits, naming the counter it would have overflowed
/// (`cost`, `input_tokens`, ...), so that the caller can refuse it with that field named.
///
/// Every sum of money, tokens or requests in Bursar is checked: it either fits, or the
/// input that would make it overflow is refused. Nothing traps and nothing wraps.
public struct CounterOverflow: Error, Sendable, Equatable, CustomStringConvertible {
    public var counter: String

    public init(counter: String) {
        self.counter = counter
    }

    public var description: String { "the \(counter) total would not fit in a 64-bit counter" }

    /// The per-event or per-batch refusal that names the counter.
    public var fieldError: FieldError {
        FieldError(code: "counter_overflow",
                   message: "\(counter): adding this would make a stored \(counter) total exceed \(Int64.max)",
                   field: counter)
    }
}

extension Int64 {
    /// `self + other`, or `CounterOverflow` naming `counter` when the sum does not fit.
    @inlinable
    public func adding(_ other: Int64, counter: String) throws(CounterOverflow) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { throw CounterOverflow(counter: counter) }
        return sum
    }

    /// `self - other`, or `CounterOverflow` naming `counter` when the difference does not fit.
    @inlinable
    public func subtracting(_ other: Int64, counter: String) throws(CounterOverflow) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { throw CounterOverflow(counter: counter) }
        return difference
    }
}
