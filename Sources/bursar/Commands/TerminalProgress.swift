import Foundation

/// How far a long command has come, shown on a terminal (standard error) as one line
/// rewritten in place at most five times a second: done of total, rate, and time left unless
/// the total is only an estimate. Nothing is shown when standard error is not a terminal.
struct TerminalProgress {
    enum Unit {
        case rows
        case bytes
    }

    var total: Int
    let unit: Unit
    private var done = 0
    private var activity = ""
    private var totalIsEstimate = false
    private let started = Date()
    private var shown = Date.distantPast
    private let terminal = isatty(STDERR_FILENO) == 1

    init(total: Int, unit: Unit) {
        self.total = total
        self.unit = unit
    }

    mutating func advance(by count: Int, doing activity: String) {
        update(done: done + count, doing: activity)
    }

    mutating func update(done: Int, doing activity: String, totalIsEstimate: Bool = false) {
        self.done = done
        self.activity = activity
        self.totalIsEstimate = totalIsEstimate
        guard terminal, Date().timeIntervalSince(shown) >= 0.2 else { return }
        show()
    }

    /// Shows the last figures (which the rate limit may have held back) and ends the line.
    mutating func finish() {
        guard terminal, shown != .distantPast else { return }
        show()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private mutating func show() {
        shown = Date()
        let rate = Double(done) / max(Date().timeIntervalSince(started), 0.001)
        var line = "\r\(activity): "
        if totalIsEstimate {
            line += "\(amount(done)) written (the database holds \(amount(total))), \(amount(Int(rate)))/s"
        } else {
            line += "\(amount(done)) of \(amount(total)), \(amount(Int(rate)))/s"
            if rate > 0 { line += String(format: ", %.0f s left", Double(max(total - done, 0)) / rate) }
        }
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    private func amount(_ count: Int) -> String {
        switch unit {
        case .rows: "\(count) rows"
        case .bytes: String(format: "%.1f MiB", Double(count) / 1_048_576)
        }
    }
}
