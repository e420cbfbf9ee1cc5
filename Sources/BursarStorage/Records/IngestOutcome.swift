import BursarCore

/// What happened to one submitted batch once it was committed.
public struct IngestOutcome: Sendable, Equatable {
    /// An event of the batch that could not be stored: a stored counter it adds to would
    /// overflow. The rest of its batch was stored.
    public struct Refusal: Sendable, Equatable {
        /// Its position in the submitted batch.
        public var index: Int
        public var overflow: CounterOverflow

        public init(index: Int, overflow: CounterOverflow) {
            self.index = index
            self.overflow = overflow
        }
    }

    public var accepted: Int
    public var duplicates: Int
    /// In batch order.
    public var refused: [Refusal]

    public init(accepted: Int, duplicates: Int, refused: [Refusal] = []) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.refused = refused
    }
}
