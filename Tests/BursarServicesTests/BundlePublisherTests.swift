import BursarServices
import Foundation
import Testing

/// Long polls run out at their own deadlines: the expiry service sleeps until the earliest
/// one it knows, so a short poll that arrives while a long one is held must wake it.
@Suite struct BundlePublisherTests {
    @Test func aShortPollArrivingWhileALongOneIsHeldEndsAtItsOwnDeadline() throws {
        let publisher = BundlePublisher(signer: BundleSigner.ephemeral())
        publisher.start()
        defer { publisher.close() }
        let long = DispatchSemaphore(value: 0)
        publisher.wait(ifNoneMatch: "\"held\"", seconds: 60) { _, _ in long.signal() }
        Thread.sleep(forTimeInterval: 0.05)  // the expiry service now sleeps towards the long poll's deadline
        let short = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        publisher.wait(ifNoneMatch: "\"held\"", seconds: 1) { _, changed in
            #expect(!changed)
            short.signal()
        }
        #expect(short.wait(timeout: .now() + 10) == .success, "the short poll was answered")
        #expect(ContinuousClock.now - started >= .seconds(1), "not before its deadline")
        #expect(publisher.heldRequests == 1, "the long poll is still held")
        publisher.close()
        #expect(long.wait(timeout: .now() + 5) == .success, "closing answers it")
    }
}
