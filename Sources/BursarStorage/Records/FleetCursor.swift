/// Where a page of the fleet ends: the last (instance id, source) it held.
public struct FleetCursor: Sendable, Equatable {
    public var instanceID: String
    public var source: String

    public init(instanceID: String, source: String) {
        self.instanceID = instanceID
        self.source = source
    }
}
