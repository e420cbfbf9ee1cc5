@testable import BursarSQLite
import Foundation
import GRDB
import Testing

/// The writer's `synchronous` is the durability asked for. GRDB's pool sets NORMAL on its writer
/// after preparing it; `PowerLossTests` shows what that costs, this names the setting itself.
@Suite struct DurabilityTests {
    @Test(arguments: [(SQLiteDatabase.Durability.full, 2), (.normal, 1)])
    func theWriterSyncsAsAsked(durability: SQLiteDatabase.Durability, synchronous: Int) throws {
        let directory = NSTemporaryDirectory() + "bursar-durability-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try SQLiteDatabase(path: directory + "/bursar.db", durability: durability)
        #expect(try database.withWriter { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == synchronous)
    }
}
