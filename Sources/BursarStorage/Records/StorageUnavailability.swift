/// An error a store's client raises; `isTemporary` when the store cannot do it now but may
/// shortly (its server is down or restarting), which the API answers with 503 and Retry-After.
public protocol StorageUnavailability: Error {
    var isTemporary: Bool { get }
}
