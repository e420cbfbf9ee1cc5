import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Testing

@Suite struct PricesAPITests {
    @Test func listsTheCatalogWithExactAmounts() throws {
        let app = try TestApp()
        let catalog = try app.getJSON("/v1/prices", key: app.routerKey)
        let prices = try #require(catalog["prices"] as? [[String: Any]])
        let mini = prices.first { $0["model"] as? String == "gpt-4o-mini" }
        #expect(mini?["input"] as? String == "0.15" && mini?["cached_input"] as? String == "0.075")
    }

    @Test func aNewVersionPricesNewEventsAndOldEventsKeepTheirCost() throws {
        let app = try TestApp()
        _ = app.postEvents([EventJSON.event("before", model: "gpt-4o", input: 1_000_000, output: 0)])
        let body = #"{"prices":[{"provider":"openai","model":"gpt-4o","input":"5.00","output":"20","effective_from":"2024-01-01"},{"provider":"openai","model":"gpt-4o-mini","input":0.15,"output":0.6}]}"#
        let put = app.send("PUT", "/v1/prices", key: app.adminKey, body: Array(body.utf8))
        #expect(put.status == 200, "\(put.bodyText)")
        #expect(try JSONSupport.object(put.body)["version"] as? Int == 2)
        _ = app.postEvents([EventJSON.event("after", model: "gpt-4o", input: 1_000_000, output: 0)])
        let spend = try app.getJSON("/v1/spend?from=2026-11-01&to=2026-12-01")
        let total = try #require(spend["total"] as? [String: Any])
        #expect(total["cost_usd"] as? String == "7.500000000")
    }

    @Test(arguments: [
        (#"{"prices":[{"provider":"openai","input":"1","output":"1"}]}"#, 422, "prices[0].model"),
        (#"{"prices":[{"provider":"a","model":"b","input":"-1","output":"1"}]}"#, 422, "prices[0].input"),
        (#"{"prices":[{"provider":"a","model":"b","input":"1","output":"1","colour":"red"}]}"#, 422, "prices[0].colour"),
        (#"{"nothing":[]}"#, 422, "prices"),
        (#"{"prices":[{"#, 400, nil),
    ])
    func badPriceListsAreRefusedNamingTheField(body: String, status: Int, field: String?) throws {
        let app = try TestApp()
        let response = app.send("PUT", "/v1/prices", key: app.adminKey, body: Array(body.utf8))
        #expect(response.status == status)
        #expect((try JSONSupport.object(response.body)["error"] as? [String: Any])?["field"] as? String == field)
    }

    @Test func onlyAdminsChangePrices() throws {
        let app = try TestApp()
        let response = app.send("PUT", "/v1/prices", key: app.viewerKey, body: Array(#"{"prices":[]}"#.utf8))
        #expect(response.status == 403)
    }
}
