import BursarCore
import Foundation
import Synchronization
import Testing

@Suite struct BackgroundServiceTests {
    /// Whether `condition` holds within ten seconds.
    func soon(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !condition() { Thread.sleep(forTimeInterval: 0.005) }
        return condition()
    }

    @Test func aPassAtStartThenOneForEachWakeNotBefore() {
        let passes = Atomic<Int>(0)
        let service = BackgroundService(name: "test")
        service.start {
            passes.add(1, ordering: .relaxed)
            return 3_600_000  // an hour: only a wake brings the next pass
        }
        defer { service.stop() }
        #expect(soon { passes.load(ordering: .relaxed) == 1 })
        service.wake()
        #expect(soon { passes.load(ordering: .relaxed) == 2 })
        service.wake()
        #expect(soon { passes.load(ordering: .relaxed) == 3 })
        Thread.sleep(forTimeInterval: 0.1)
        #expect(passes.load(ordering: .relaxed) == 3, "no pass without a wake or the pause running out")
    }

    @Test func aWakeDuringAPassRunsAnotherAfterIt() {
        let passes = Atomic<Int>(0)
        let inPass = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let service = BackgroundService(name: "test")
        service.start {
            if passes.add(1, ordering: .relaxed).newValue == 1 {
                inPass.signal()
                release.wait()
            }
            return 3_600_000
        }
        defer { service.stop() }
        inPass.wait()
        service.wake()  // while the first pass runs
        release.signal()
        #expect(soon { passes.load(ordering: .relaxed) == 2 }, "the wake was not lost")
    }

    @Test func thePauseAPassAsksForBringsTheNext() {
        let passes = Atomic<Int>(0)
        let service = BackgroundService(name: "test")
        service.start {
            passes.add(1, ordering: .relaxed)
            return 5
        }
        defer { service.stop() }
        #expect(soon { passes.load(ordering: .relaxed) >= 5 })
    }

    @Test func stopWaitsForThePassUnderWayAndRunsNoMore() {
        let passes = Atomic<Int>(0)
        let ended = Atomic<Bool>(false)
        let started = DispatchSemaphore(value: 0)
        let service = BackgroundService(name: "test")
        service.start {
            passes.add(1, ordering: .relaxed)
            started.signal()
            Thread.sleep(forTimeInterval: 0.1)
            ended.store(true, ordering: .relaxed)
            return 1
        }
        started.wait()
        service.stop()
        let passEnded = ended.load(ordering: .relaxed)
        #expect(passEnded, "stop returned only after the pass ended")
        let after = passes.load(ordering: .relaxed)
        service.wake()
        service.stop()
        Thread.sleep(forTimeInterval: 0.05)
        #expect(passes.load(ordering: .relaxed) == after)
        #expect(service.isStopping)
    }
}
