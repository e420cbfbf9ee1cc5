import BursarCore
import HTTPToolkit

/// How spend figures are written in API answers: money as exact decimal strings.
enum SpendJSON {
    static func metrics(_ metrics: RollupMetrics) throws(CounterOverflow) -> [(String, JSONValue)] {
        [
            ("requests", .integer(metrics.requests)),
            ("input_tokens", .integer(metrics.inputTokens)),
            ("cached_input_tokens", .integer(metrics.cachedInputTokens)),
            ("output_tokens", .integer(metrics.outputTokens)),
            ("reasoning_tokens", .integer(metrics.reasoningTokens)),
            ("cost_usd", .money(metrics.cost)),
            ("baseline_cost_usd", .money(metrics.baselineCost)),
            ("savings_usd", .money(try metrics.savings)),
            ("reported_cost_usd", .money(metrics.reportedCost)),
            ("unpriced_requests", .integer(metrics.unpricedRequests)),
            ("errors", .integer(metrics.errors)),
            ("latency_ms", latency(metrics.latency)),
        ]
    }

    static func latency(_ histogram: LatencyHistogram) -> JSONValue {
        .object([
            ("p50", .optional(histogram.percentile(0.50))),
            ("p95", .optional(histogram.percentile(0.95))),
            ("p99", .optional(histogram.percentile(0.99))),
        ])
    }

    static func report(_ report: SpendReport) throws(CounterOverflow) -> JSONValue {
        let query = report.query
        let rows: [JSONValue] = try report.rows.map { row throws(CounterOverflow) in
            var members: [(String, JSONValue)] = zip(query.groupBy, row.values).map { ($0.rawValue, .text(orNull: $1)) }
            if let bucket = row.bucket { members.append(("bucket", .string(Timestamp.format(bucket)))) }
            return .object(members + (try metrics(row.metrics)))
        }
        return .object([
            ("from", .string(Timestamp.format(query.from))),
            ("to", .string(Timestamp.format(query.to))),
            ("group_by", .array(query.groupBy.map { .string($0.rawValue) })),
            ("interval", query.interval.map { .string($0.rawValue) } ?? .null),
            ("groups", .integer(Int64(report.groups))),
            ("rows", .array(rows)),
            ("total", .object(try metrics(report.total))),
        ])
    }

    static func summary(_ summary: SpendSummary) throws(CounterOverflow) -> JSONValue {
        let total = summary.total
        return .object([
            ("from", .string(Timestamp.format(summary.from))),
            ("to", .string(Timestamp.format(summary.to))),
            ("requests", .integer(total.requests)),
            ("cost_usd", .money(total.cost)),
            ("baseline_cost_usd", .money(total.baselineCost)),
            ("savings_usd", .money(try total.savings)),
            ("savings_ratio", .number(try summary.savingsRatio)),
            ("unpriced_requests", .integer(total.unpricedRequests)),
            ("errors", .integer(total.errors)),
            ("by_tier", .array(summary.byTier.map { tier, metrics in
                .object([
                    ("tier", .string(tier)),
                    ("requests", .integer(metrics.requests)),
                    ("cost_usd", .money(metrics.cost)),
                    ("baseline_cost_usd", .money(metrics.baselineCost)),
                    ("share_of_requests", .number(SpendSummary.ratio(metrics.requests, total.requests))),
                    ("share_of_cost", .number(SpendSummary.ratio(metrics.cost.nanos, total.cost.nanos))),
                    ("unpriced_requests", .integer(metrics.unpricedRequests)),
                    ("latency_ms", latency(metrics.latency)),
                ])
            })),
            ("month_to_date_usd", .money(summary.monthToDate)),
            ("forecast_month_usd", summary.forecastMonth.map(JSONValue.money) ?? .null),
        ])
    }
}
