import BursarTesting
import Foundation
import GRDB
import Locking
import Testing

/// A database Bursar cannot have to itself at start: a clear message and exit status 75.
@Suite(.serialized) struct StartupTests {
    @Test func aSecondServerOnTheSameDatabaseIsRefused() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        _ = try RouterSDKTests.keys(database)
        let first = try ServerProcess(database: database)
        defer { #expect(first.terminate() == 0, "the server stopped cleanly") }
        let second = try ServerProcess.outcome(["serve", "--db", database, "--listen", "127.0.0.1:0"])
        #expect(second.status == 75)
        #expect(second.output.contains("in use by another bursar serve (pid \(first.process.processIdentifier))"), "\(second.output)")
        #expect(try first.connection().send("GET", "/healthz").status == 200, "the first one is untouched")
    }

    @Test func aSIGTERMSentTheMomentTheServerListensStopsIt() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        _ = try RouterSDKTests.keys(database)
        // Both cores kept busy, as under CI's load, when the lost signal was seen.
        let busy = Locked(true)
        for _ in 0..<6 {
            Thread.detachNewThread { var spin = 0; while busy.withLock({ $0 }) { spin &+= 1 } }
        }
        defer { busy.withLock { $0 = false } }
        for round in 0..<12 {
            let server = try ServerProcess(database: database, unblockedSignals: true)
            kill(server.process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while server.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            let stopped = !server.process.isRunning
            if !stopped { server.kill() }
            #expect(stopped, "round \(round): the SIGTERM sent as it listened was lost")
            #expect(!stopped || server.process.terminationStatus == 0, "round \(round): exit status \(server.process.terminationStatus)")
        }
    }

    @Test func aDatabaseLockedByAnotherProgramStopsTheStartWithAReason() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        _ = try RouterSDKTests.keys(database)
        let holder = try DatabaseQueue(path: database)
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread {
            try? holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                locked.signal()
                release.wait()
                try db.execute(sql: "ROLLBACK")
            }
            released.signal()
        }.start()
        locked.wait()
        let started = Date()
        let outcome = try ServerProcess.outcome(["serve", "--db", database, "--listen", "127.0.0.1:0"])
        release.signal()
        released.wait()
        #expect(outcome.status == 75)
        #expect(outcome.output.contains("is locked by another process"), "\(outcome.output)")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
