import BursarCore

/// What each router instance last reported, kept per (source, instance).
public protocol FleetStore: Sendable {
    func recordStatus(_ status: RouterStatus) throws
    func fleet() throws -> [RouterStatus]
}
