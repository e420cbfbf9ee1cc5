/// How long a router may trust a bundle without hearing from Bursar. Each bundle carries,
/// signed, `stale_after`: its issue time plus `maximumAgeMillis`. Bursar issues the same
/// content again (its serial, a new issue time) once a quarter of that has passed, so a router
/// that reaches Bursar always holds a fresh bundle; one that holds a stale bundle keeps
/// routing by it and raises an alarm: Bursar, or something between (a proxy answering 304
/// for ever), has kept newer budgets and overrides from it.
public struct BundleFreshness: Sendable, Equatable {
    public var maximumAgeMillis: Int64

    public init(maximumAgeMillis: Int64) {
        self.maximumAgeMillis = maximumAgeMillis
    }

    /// An hour: issued again every 15 minutes.
    public static let standard = BundleFreshness(maximumAgeMillis: 3_600_000)

    /// When the same content is issued again.
    public var reissueAfterMillis: Int64 { max(maximumAgeMillis / 4, 1) }
}
