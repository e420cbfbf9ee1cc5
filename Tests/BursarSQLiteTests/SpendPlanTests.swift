import BursarCore
import BursarStorage
import Foundation
import GRDB
import Testing
@testable import BursarSQLite

/// How SQLite answers the spend reads, from its own query plans: by key, never by scanning
/// a table that grows with every hour of traffic.
@Suite struct SpendPlanTests {
    @Test(arguments: [TrafficEnd.first, .last])
    func eachEndOfTheTrafficHoursIsReadFromTheKey(_ end: TrafficEnd) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bursar.db").path
        let database = try SQLiteDatabase(path: path, durability: .normal)
        let plan = try database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteRollups.trafficHourSQL(end)).map { $0["detail"] as String }
        }
        // Both ends in one query made SQLite scan the whole table: 68 ms a spend query at 1M events.
        #expect(plan.contains { $0.hasPrefix("SEARCH") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
    }
}
