import Locking
import BursarCore

/// The prices in force right now, shared by every request that prices events.
public final class PriceBook: Sendable {
    private let costing: Locked<Costing>

    public init(catalog: PriceCatalog, baselineModel: ModelKey) {
        costing = Locked(Costing(catalog: catalog, baselineModel: baselineModel))
    }

    public var current: Costing { costing.withLock { $0 } }

    /// Puts `catalog` in force unless a newer version already is (two threads that read the
    /// store after two changes may finish in either order).
    public func replace(_ catalog: PriceCatalog) {
        costing.withLock { costing in
            if catalog.version > costing.catalog.version { costing.catalog = catalog }
        }
    }

    /// Savings are measured against this model from now on (the active policy's baseline).
    public func setBaseline(_ model: ModelKey) {
        costing.withLock { $0.baselineModel = model }
    }
}
