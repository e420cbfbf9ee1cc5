import BursarCore
import BursarSQLite
import BursarStorage
import Crypto
import Foundation
import GRDB
import Testing

/// What the key table holds, read with SQLite itself: digests, never the secrets.
@Suite struct KeyTableTests {
    @Test func keysAreStoredAsSHA256DigestsAndNothingElseHoldsTheSecret() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bursar.db").path
        let secrets = try {
            let database = try SQLiteDatabase(path: path, durability: .normal)
            return try ["edge", "ops", "ci"].map { try database.createKey(name: $0, role: .router) }
        }()
        // The closed database's last connection may still be checkpointing the file away:
        // wait for it rather than fail on SQLITE_BUSY (seen once under the full suite's load).
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let file = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? file.close() }
        try file.read { db in
            let digests = try Data.fetchAll(db, sql: "SELECT secret_sha256 FROM api_keys ORDER BY id")
            #expect(digests == secrets.map { Data(SHA256.hash(data: Array($0.utf8))) })
            // Every column of every table, as text and as bytes: no secret anywhere.
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for value in row.databaseValues {
                        let bytes: [UInt8]
                        switch value.storage {
                        case .string(let text): bytes = Array(text.utf8)
                        case .blob(let data): bytes = Array(data)
                        default: continue
                        }
                        let text = String(decoding: bytes, as: UTF8.self)
                        for secret in secrets { #expect(!text.contains(secret), "\(table) holds a secret") }
                    }
                }
            }
        }
    }
}
