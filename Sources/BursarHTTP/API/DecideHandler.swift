import BursarCore
import HTTPToolkit
import BursarServices

/// `POST /v1/decide`: the policy engine on the current bundle, for routers without the SDK.
struct DecideHandler: Sendable {
    let publisher: BundlePublisher
    let clock: WallClock

    func decide(_ request: Request, _ context: APIContext) throws -> Reply {
        let body = try request.jsonBody(describing: "request descriptor")
        let descriptor: RoutingRequest
        do {
            descriptor = try RoutingRequest.parse(body)
        } catch {
            throw HTTPError(422, error)
        }
        guard let engine = try publisher.current().engine else {
            throw HTTPError(409, FieldError(code: "no_active_policy", message: "no policy is active; activate one with POST /v1/policies/{revision}/activate"))
        }
        return .response(.json(engine.decide(descriptor, now: clock()).json))
    }
}
