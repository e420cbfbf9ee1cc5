import BursarCore
import BursarTesting
import Testing

/// The background obeys the injected clock: the budget monitor sleeps until the bundle's next
/// boundary (here an override's expiry, then the next re-issue, up to a minute away), and a
/// test that moves the clock past it wakes the monitor at once instead of waiting that out.
@Suite struct BackgroundClockTests {
    @Test func movingTheClockPastAnOverridesExpiryRepublishesTheBundle() throws {
        let app = try TestApp(now: TestClock.midPeriod)
        let expiry = Timestamp.format(TestClock.midPeriod + 50_000)
        let put = app.send("PUT", "/v1/overrides/brief", key: app.adminKey,
                           body: Array(#"{"match":{"team":"legal"},"effect":"max_tier","tier":"standard","expires_at":"\#(expiry)"}"#.utf8))
        #expect(put.status == 201, "\(put.bodyText)")
        #expect(app.send("GET", "/v1/bundle", key: app.routerKey).bodyText.contains("\"brief\""))
        // The monitor's first pass has ended: it sleeps towards the override's expiry, 50 s away.
        #expect(eventually { app.application.monitor.completedPasses >= 1 })
        app.clock.advance(seconds: 51)
        #expect(eventually(within: 20) { !app.send("GET", "/v1/bundle", key: app.routerKey).bodyText.contains("\"brief\"") },
                "the expired override left the bundle once the clock passed its expiry")
    }

    /// An admin change can bring the next boundary nearer than the one the monitor sleeps
    /// towards (a re-issue, up to a minute away): its evaluation wakes the monitor to sleep
    /// towards the new one. Before, a 2-second override stayed in the bundle until then.
    @Test func anOverrideThatExpiresSoonerThanTheMonitorsSleepLeavesTheBundleOnTime() throws {
        let app = try TestApp(runningFrom: TestClock.midPeriod)
        #expect(eventually { app.application.monitor.completedPasses >= 1 }, "the monitor sleeps towards the next re-issue")
        let expiry = Timestamp.format(app.clock.now() + 2_000)
        let put = app.send("PUT", "/v1/overrides/brief", key: app.adminKey,
                           body: Array(#"{"match":{"team":"legal"},"effect":"max_tier","tier":"standard","expires_at":"\#(expiry)"}"#.utf8))
        #expect(put.status == 201, "\(put.bodyText)")
        #expect(eventually(within: 15) { !app.send("GET", "/v1/bundle", key: app.routerKey).bodyText.contains("\"brief\"") },
                "the override left the bundle when it expired")
    }
}
