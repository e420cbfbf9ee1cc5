import BursarCore
import HTTPToolkit
import Foundation

/// A spend report as RFC 4180 CSV: the rows of `GET /v1/spend`, money as decimal strings.
///
/// Cells that a sender controls (the dimension values) are neutralised against spreadsheet
/// formula injection by default (OWASP: a leading `'` before `= + - @`, tab or CR); figures
/// are never touched, so money stays exact. `raw` leaves every cell as stored.
enum SpendCSV {
    /// What makes a spreadsheet read a cell as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    static let metricColumns = [
        "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens",
        "cost_usd", "baseline_cost_usd", "savings_usd", "reported_cost_usd", "unpriced_requests", "errors",
        "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
    ]

    static func document(_ report: SpendReport, raw: Bool = false) throws(CounterOverflow) -> String {
        let query = report.query
        var header = query.groupBy.map(\.rawValue)
        if query.interval != nil { header.append("bucket") }
        var lines = [line(header + metricColumns)]
        for row in report.rows {
            var fields = raw ? row.values : row.values.map(neutralized)
            if query.interval != nil { fields.append(row.bucket.map(Timestamp.format) ?? "") }
            lines.append(line(fields + (try metrics(row.metrics))))
        }
        return lines.joined()
    }

    static func metrics(_ metrics: RollupMetrics) throws(CounterOverflow) -> [String] {
        let latency = [0.50, 0.95, 0.99].map { metrics.latency.percentile($0).map(String.init) ?? "" }
        return [
            String(metrics.requests), String(metrics.inputTokens), String(metrics.cachedInputTokens),
            String(metrics.outputTokens), String(metrics.reasoningTokens),
            metrics.cost.decimalString, metrics.baselineCost.decimalString, (try metrics.savings).decimalString,
            metrics.reportedCost.decimalString, String(metrics.unpricedRequests), String(metrics.errors),
        ] + latency
    }

    /// The value with a leading `'` when a spreadsheet would read it as a formula.
    static func neutralized(_ value: String) -> String {
        // The first scalar, not the first character: "=" with a combining mark is still "=".
        guard let first = value.unicodeScalars.first, formulaStarts.contains(first) else { return value }
        return "'" + value
    }

    /// One record ending in CRLF; a field with a comma, quote or line break is quoted.
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
