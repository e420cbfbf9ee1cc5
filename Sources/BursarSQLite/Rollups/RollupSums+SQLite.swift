import BursarCore
import BursarStorage
import GRDB

extension RollupSums {
    /// How an overflow in the SQL merge function starts its message; the counter follows.
    static let overflowMessage = "bursar counter overflow: "

    /// The counter named by an error of the SQL merge function, if it is one.
    static func overflow(in error: any Error) -> CounterOverflow? {
        if let overflow = error as? CounterOverflow { return overflow }
        guard let error = error as? DatabaseError, let message = error.message, message.hasPrefix(overflowMessage) else { return nil }
        return CounterOverflow(counter: String(message.dropFirst(overflowMessage.count)))
    }
}
