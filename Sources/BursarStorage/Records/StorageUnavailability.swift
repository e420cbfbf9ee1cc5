/// An error a store's client raises; `isUnavailable` when the store does not answer now (its
/// server is down or restarting), which the API answers with 503 and Retry-After.
public protocol StorageUnavailability: Error {
    var isUnavailable: Bool { get }
}
