import BursarCore
import HTTPToolkit
import BursarStorage
import Foundation

/// `GET /v1/spend`, `GET /v1/spend.csv` and `GET /v1/spend/summary`.
struct SpendHandlers: Sendable {
    let store: any SpendStore
    let clock: WallClock

    func spend(_ request: Request, _ context: APIContext) throws -> Reply {
        .response(.json(try SpendJSON.report(try report(request))))
    }

    /// The same rows as `spend`, as a CSV download.
    func csv(_ request: Request, _ context: APIContext) throws -> Reply {
        let raw: Bool
        switch request.query["raw"] {
        case nil, "false": raw = false
        case "true": raw = true
        default: throw HTTPError.badRequest("raw takes true or false", field: "raw")
        }
        let document = try SpendCSV.document(try report(request, extra: ["raw"]), raw: raw)
        return .response(Response(status: 200, headers: [
            ("Content-Type", "text/csv; charset=utf-8; header=present"),
            ("Content-Disposition", "attachment; filename=\"bursar-spend.csv\""),
        ], body: Array(document.utf8)))
    }

    private func report(_ request: Request, extra: [String] = []) throws -> SpendReport {
        try checkParameters(request, allowed: ["from", "to", "group_by", "interval", "order", "limit"] + RollupDimension.allCases.map(\.rawValue) + extra)
        let query: SpendQuery
        do {
            query = try SpendQuery.parse(request.query, now: clock())
        } catch {
            throw HTTPError(400, error)
        }
        return try store.spend(query)
    }

    func summary(_ request: Request, _ context: APIContext) throws -> Reply {
        try checkParameters(request, allowed: ["from", "to"])
        let now = clock()
        let range: (Int64, Int64)
        do {
            range = try SpendQuery.range(request.query, now: now)
        } catch {
            throw HTTPError(400, error)
        }
        return .response(.json(try SpendJSON.summary(try store.summary(from: range.0, to: range.1, now: now))))
    }

    private func checkParameters(_ request: Request, allowed: [String]) throws {
        if let unknown = request.query.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw HTTPError.badRequest("unknown parameter '\(unknown)'; this endpoint takes \(allowed.joined(separator: ", "))", field: unknown)
        }
    }
}
