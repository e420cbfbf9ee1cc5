import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage
import Foundation

/// `GET /metrics`: Prometheus text exposition. Spend and tokens are totals since the first
/// event, by tier, provider and model (never by user: one series per user would swamp a
/// Prometheus server); budgets by id.
struct MetricsHandler: Sendable {
    static let version = "0.6.0"

    let database: any Storage
    let writer: any EventIngest
    let ingest: IngestService
    let publisher: BundlePublisher
    let metrics: APIMetrics
    let alerts: AlertDelivery
    let clock: WallClock

    func metrics(_ request: Request, _ context: APIContext) throws -> Reply {
        var out = PrometheusText()
        out.family("bursar_build_info", "gauge", "Bursar's version; always 1.")
        out.sample("bursar_build_info", [("version", Self.version)], 1)

        out.family("bursar_ingest_events_total", "counter", "Events received, by what became of them.")
        let counts = ingest.counts
        out.sample("bursar_ingest_events_total", [("result", "accepted")], counts.accepted)
        out.sample("bursar_ingest_events_total", [("result", "duplicate")], counts.duplicates)
        out.sample("bursar_ingest_events_total", [("result", "rejected")], counts.rejected)
        out.family("bursar_ingest_refused_batches_total", "counter", "Event batches answered 503 (queue full, shutting down, or a failed commit).")
        out.sample("bursar_ingest_refused_batches_total", counts.refusedBatches)
        out.family("bursar_ingest_commits_total", "counter", "Group commits of the ingest writer.")
        out.sample("bursar_ingest_commits_total", writer.statistics.commits)

        let durations = writer.commitDurations.snapshot
        out.family("bursar_ingest_commit_duration_seconds", "histogram", "How long each group commit took, fsync included.")
        for (bound, count) in zip(CommitDurations.bounds, durations.cumulativeCounts) {
            out.sample("bursar_ingest_commit_duration_seconds_bucket", [("le", PrometheusText.format(bound))], count)
        }
        out.sample("bursar_ingest_commit_duration_seconds_bucket", [("le", "+Inf")], durations.count)
        out.sample("bursar_ingest_commit_duration_seconds_sum", durations.sumSeconds)
        out.sample("bursar_ingest_commit_duration_seconds_count", durations.count)

        out.family("bursar_bundle_requests_total", "counter", "Bundle answers, by status.")
        out.sample("bursar_bundle_requests_total", [("status", "200")], metrics.bundleFull.load(ordering: .relaxed))
        out.sample("bursar_bundle_requests_total", [("status", "304")], metrics.bundleNotModified.load(ordering: .relaxed))
        out.family("bursar_bundle_long_polls_total", "counter", "Bundle requests that waited for a change (Prefer: wait).")
        out.sample("bursar_bundle_long_polls_total", metrics.bundleLongPolls.load(ordering: .relaxed))
        out.family("bursar_bundle_long_polls_held", "gauge", "Bundle long polls waiting for a change.")
        out.sample("bursar_bundle_long_polls_held", publisher.heldRequests)

        out.family("bursar_webhook_deliveries", "gauge", "Alert deliveries to each webhook, by state (pending, delivered, given_up).")
        for tally in try database.webhookTallies() {
            for (state, count) in [("pending", tally.pending), ("delivered", tally.delivered), ("given_up", tally.givenUp)] {
                out.sample("bursar_webhook_deliveries", [("webhook", AlertDelivery.label(tally.url)), ("state", state)], count)
            }
        }
        out.family("bursar_webhook_failed_attempts_total", "counter", "Webhook delivery attempts that failed since start (each is logged).")
        out.sample("bursar_webhook_failed_attempts_total", alerts.failedAttemptCount)

        out.family("bursar_singleton_lease_held", "gauge", "1 on the replica that holds the lease (it delivers webhooks, records budget states, deletes old raw events).")
        out.sample("bursar_singleton_lease_held", database.heldSingletonLease ? 1 : 0)

        let room = try database.room()
        out.family("bursar_database_bytes", "gauge", "Bytes the database's data takes (free pages and the write-ahead log not counted).")
        out.sample("bursar_database_bytes", Double(room.usedBytes))
        if let remaining = room.remainingBytes {
            out.family("bursar_database_room_bytes", "gauge", "Bytes the database may still grow by: the least of what --max-db-mib and the file system leave (under 1 MiB: /readyz answers 503).")
            out.sample("bursar_database_room_bytes", Double(remaining))
        }

        let now = clock()
        var query = SpendQuery(from: 0, to: UTC.hourStart(now) + UTC.millisPerHour)
        query.groupBy = [.tier, .provider, .model]
        // A scrape never fails on data: a series past 2^63−1 (nano-dollars, tokens) reads
        // that largest value; per-row samples only, so no total is summed.
        query.saturating = true
        let rows = try database.spendGroups(query).sorted { $0.values.lexicographicallyPrecedes($1.values) }
        let families: [(String, String, (RollupMetrics) -> Double)] = [
            ("bursar_spend_usd_total", "Cost of all events, US dollars (exact figures: GET /v1/spend).", { Double($0.cost.nanos) / 1e9 }),
            ("bursar_baseline_spend_usd_total", "What the same requests would have cost on the baseline model, US dollars.", { Double($0.baselineCost.nanos) / 1e9 }),
            ("bursar_requests_total", "Events (attempts) stored.", { Double($0.requests) }),
            ("bursar_unpriced_requests_total", "Events with no price and no reported cost.", { Double($0.unpricedRequests) }),
            ("bursar_errors_total", "Events whose status was an error.", { Double($0.errors) }),
        ]
        for (name, help, value) in families {
            out.family(name, "counter", help)
            for row in rows { out.sample(name, labels(row), value(row.metrics)) }
        }
        out.family("bursar_tokens_total", "counter", "Tokens of all events, by kind (cached input is part of input, reasoning part of output).")
        for row in rows {
            for (kind, count) in [("input", row.metrics.inputTokens), ("cached_input", row.metrics.cachedInputTokens),
                                  ("output", row.metrics.outputTokens), ("reasoning", row.metrics.reasoningTokens)] {
                out.sample("bursar_tokens_total", labels(row) + [("kind", kind)], Double(count))
            }
        }

        let budgets = try publisher.current().bundle.budgets
        out.family("bursar_budget_limit_usd", "gauge", "Each budget's limit for its period, US dollars.")
        for status in budgets { out.sample("bursar_budget_limit_usd", [("budget", status.budget.id)], Double(status.budget.limit.nanos) / 1e9) }
        out.family("bursar_budget_spent_usd", "gauge", "Spent in each budget's current period, US dollars.")
        for status in budgets { out.sample("bursar_budget_spent_usd", [("budget", status.budget.id)], Double(status.spent.nanos) / 1e9) }
        out.family("bursar_budget_remaining_usd", "gauge", "Left in each budget's current period (negative once exceeded), US dollars.")
        for status in budgets { out.sample("bursar_budget_remaining_usd", [("budget", status.budget.id)], Double(try status.remaining.nanos) / 1e9) }
        out.family("bursar_budget_exceeded", "gauge", "1 when a budget is exceeded, else 0.")
        for status in budgets { out.sample("bursar_budget_exceeded", [("budget", status.budget.id)], status.state == .exceeded ? 1 : 0) }

        return .response(Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                  body: Array(out.text.utf8)))
    }

    private func labels(_ row: SpendReport.Row) -> [(String, String)] {
        [("tier", row.values[0]), ("provider", row.values[1]), ("model", row.values[2])]
    }
}
