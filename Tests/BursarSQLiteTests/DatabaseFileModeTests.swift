import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing

/// The database holds every event and key digest: only its owner may read it.
@Suite struct DatabaseFileModeTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func databaseFilesAreOwnerOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mode-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("new.db").path
        let database = try SQLiteDatabase(path: path)
        _ = try database.createKey(name: "k", role: .router)
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        let copy = folder.appendingPathComponent("copy.db").path
        try database.backup(to: copy)
        #expect(try mode(copy) == 0o600)
        // A database made readable by others (an older version made it 0644) is tightened on open.
        let old = folder.appendingPathComponent("old.db").path
        #expect(FileManager.default.createFile(atPath: old, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try SQLiteDatabase(path: old)
        #expect(try mode(old) == 0o600)
    }
}
