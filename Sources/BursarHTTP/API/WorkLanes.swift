import HTTPToolkit
import Foundation

/// The pools that handlers which may take long run on, one per kind of caller, so that none
/// holds back another or the server's own threads (health checks, bundle polls, ingest):
/// viewers' reports never delay an admin's change, and a router's decisions or conversions
/// never delay a health check.
public struct WorkLanes: Sendable {
    /// Reports and reads for viewers and admins.
    public let reports: WorkPool
    /// Admin changes (keys, budgets, policies, prices, simulations).
    public let admin: WorkPool
    /// Routers' `/v1/decide`.
    public let decisions: WorkPool
    /// Other formats decoded into events (LiteLLM logs, OTLP exports): each may take a
    /// bounded but large piece of memory, so few run at once.
    public let conversions: WorkPool

    init(cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let width = max(2, cores)
        reports = WorkPool("reports", width: width)
        admin = WorkPool("admin requests", width: width)
        decisions = WorkPool("decisions", width: width, maximumWaiting: 10_000)
        conversions = WorkPool("LiteLLM and OTLP batches", width: width)
    }
}
