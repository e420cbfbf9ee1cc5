import Foundation
import BursarCore

/// A simulation answer as a short table for people.
enum SimulationSummary {
    static func text(_ answer: JSONValue) -> String {
        func figure(_ side: String, _ name: String) -> String { answer[member: side]?[member: name]?.stringValue ?? "?" }
        func mix(_ side: String) -> String {
            (answer[member: side]?[member: "tier_mix"]?.objectMembers ?? [])
                .map { "\($0.0) \(String(format: "%.1f%%", ($0.1.numberValue ?? 0) * 100))" }.joined(separator: ", ")
        }
        var lines = [
            "Replayed \(answer[member: "requests"]?.integerValue ?? 0) requests from \(answer[member: "from"]?.stringValue ?? "?") to \(answer[member: "to"]?.stringValue ?? "?")"
                + " (\(answer[member: "not_simulated"]?.integerValue ?? 0) without routing inputs, not simulated).",
            "",
            "             cost              baseline          savings",
            "active       $\(figure("active", "cost_usd"))   $\(figure("active", "baseline_cost_usd"))   $\(figure("active", "savings_usd"))",
            "candidate    $\(figure("candidate", "cost_usd"))   $\(figure("candidate", "baseline_cost_usd"))   $\(figure("candidate", "savings_usd"))",
            "",
            "tier mix, active:    \(mix("active"))",
            "tier mix, candidate: \(mix("candidate"))",
        ]
        let moves = answer[member: "moves"]?.arrayValue ?? []
        if !moves.isEmpty {
            lines += ["", "moves (candidate rule: from → to):"]
            for move in moves {
                lines.append("  \(move[member: "rule"]?.stringValue ?? "?"): \(move[member: "from_tier"]?.stringValue ?? "?") → \(move[member: "to_tier"]?.stringValue ?? "?")  \(move[member: "requests"]?.integerValue ?? 0) requests")
            }
        }
        return lines.joined(separator: "\n")
    }
}
