import BursarCore

/// Spend as stored: reports from the rollups (never a scan of raw events), exact to the nano-dollar.
public protocol SpendStore: Sendable {
    func spend(_ query: SpendQuery) throws -> SpendReport
    /// The report's rows without summing a total (for exports that must not fail on one).
    func spendGroups(_ query: SpendQuery) throws -> [SpendReport.Row]
    func summary(from: Int64, to: Int64, now: Int64) throws -> SpendSummary
    /// Rollup rows that differ from a recomputation from the raw events (empty when exact).
    func rollupDiscrepancies() throws -> [String]
    /// Raw events stored.
    func eventCount() throws -> Int
    /// The ids stored for `source`.
    func eventIDs(source: String) throws -> [String]
}
