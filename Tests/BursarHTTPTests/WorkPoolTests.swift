import Dispatch
import HTTPToolkit
import Testing

/// The work pool and pending responses under contention: many threads submit and complete at
/// once. Under `make tsan` these fail on any lock ThreadSanitizer cannot see (the standard
/// library's `Mutex` takes its contended path through futex calls it does not intercept; 8 × 500
/// submissions passed under it, 8 × 20,000 failed).
@Suite struct WorkPoolTests {
    /// Counts finished work on a semaphore, which ThreadSanitizer sees.
    final class Tally: @unchecked Sendable {
        private let finished = DispatchSemaphore(value: 0)
        func add() { finished.signal() }
        func wait(for count: Int) -> Bool {
            (0..<count).allSatisfy { _ in finished.wait(timeout: .now() + 30) == .success }
        }
    }

    @Test func everySubmittedItemRunsOnceWhenManyThreadsSubmitAtOnce() {
        let submitters = 8, each = 20_000
        let pool = WorkPool(width: 4, maximumWaiting: submitters * each)
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: submitters) { _ in
            for _ in 0..<each {
                #expect(pool.submit { tally.add() })
            }
        }
        #expect(tally.wait(for: submitters * each))
    }

    @Test func aFullQueueRefusesMoreWork() {
        let pool = WorkPool(width: 1, maximumWaiting: 2)
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        #expect(pool.submit { started.signal(); release.wait() })
        started.wait()
        #expect(pool.submit {})
        #expect(pool.submit {})
        #expect(!pool.submit {}, "a third waiting item is over the limit of 2")
        release.signal()
    }

    @Test func aPendingResponseCompletedFromManyThreadsAnswersItsWaiterOnceWithTheFirst() {
        for _ in 0..<200 {
            let pending = PendingResponse()
            let answered = DispatchSemaphore(value: 0)
            DispatchQueue.concurrentPerform(iterations: 4) { index in
                if index == 0 {
                    pending.whenComplete { _ in answered.signal() }
                } else {
                    pending.complete(Response(status: 200 + index))
                }
            }
            #expect(answered.wait(timeout: .now() + 10) == .success)
            #expect(answered.wait(timeout: .now()) == .timedOut, "the waiter is called once")
            #expect([201, 202, 203].contains(pending.wait().status))
        }
    }
}
