import BursarCore

/// What each router instance last reported, kept per (source, instance).
public protocol FleetStore: Sendable {
    /// Records a report; past `maximumPerSource` instances of its source, those heard from
    /// least recently are forgotten (a router that names each start anew cannot grow the fleet
    /// without bound).
    func recordStatus(_ status: RouterStatus, maximumPerSource: Int) throws
    /// Up to `limit` instances ordered by (instance id, source) in bytes, after `cursor`.
    func fleet(after cursor: FleetCursor?, limit: Int) throws -> [RouterStatus]
}
