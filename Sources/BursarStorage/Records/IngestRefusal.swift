/// Why a batch was not even queued.
public enum IngestRefusal: Error, Sendable {
    /// The queue is full; try again shortly.
    case overloaded
    /// The writer is shutting down.
    case closed
}
