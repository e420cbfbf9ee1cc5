import BursarCore
import HTTPToolkit
import BursarStorage

/// `GET /v1/budgets?state=`, `GET/PUT/DELETE /v1/budgets/{id}`, `GET /v1/budgets/{id}/status`.
struct BudgetsHandler: Sendable {
    let store: any BudgetStore & PolicyStore
    let clock: WallClock

    func list(_ request: Request, _ context: APIContext) throws -> Reply {
        var statuses = try store.budgetStatuses(now: clock())
        if let state = request.query["state"] {
            guard let wanted = BudgetStatus.State(rawValue: state) else {
                throw HTTPError.badRequest("state must be ok, warning or exceeded", field: "state")
            }
            statuses = statuses.filter { $0.state == wanted }
        }
        return .response(.json(.object([("budgets", .array(try statuses.map(Self.document)))])))
    }

    func get(_ request: Request, _ context: APIContext) throws -> Reply {
        .response(.json(try Self.document(try status(context))))
    }

    func status(_ request: Request, _ context: APIContext) throws -> Reply {
        .response(.json(try status(context).json))
    }

    func put(_ request: Request, _ context: APIContext) throws -> Reply {
        let body = try request.jsonBody(describing: "budget")
        let tiers = try store.activePolicy().map { Set($0.policy.tiers.map(\.name)) }
        let budget: Budget
        let id = try context.require("id")
        do {
            budget = try Budget.parse(id: id, body, tiers: tiers, now: clock())
        } catch {
            throw HTTPError(422, error)
        }
        let created = try store.putBudget(budget, actor: context.key?.name ?? "unknown")
        return .response(.json(try Self.document(try store.budgetStatus(budget, now: clock())), status: created ? 201 : 200))
    }

    func delete(_ request: Request, _ context: APIContext) throws -> Reply {
        let id = try context.require("id")
        guard try store.deleteBudget(id: id, actor: context.key?.name ?? "unknown") else { throw HTTPError.notFound("no budget \(id)") }
        return .response(Response(status: 204))
    }

    private func status(_ context: APIContext) throws -> BudgetStatus {
        let id = try context.require("id")
        guard let budget = try store.budget(id: id) else { throw HTTPError.notFound("no budget \(id)") }
        return try store.budgetStatus(budget, now: clock())
    }

    /// The definition with its current status.
    static func document(_ status: BudgetStatus) throws(CounterOverflow) -> JSONValue {
        .object(status.budget.json.objectMembers + [("status", try status.json)])
    }
}
