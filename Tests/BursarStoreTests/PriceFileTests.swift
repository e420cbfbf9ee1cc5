import BursarCore
import BursarStore
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing

/// Price files, as `bursar serve` imports them.
@Suite struct PriceFileTests {
    @Test func theShippedPriceFileLoadsAndImportsOnce() throws {
        let path = ServerProcess.packageRoot.appendingPathComponent("policies/prices.yaml").path
        let file = try PriceFile.load(path: path)
        #expect(file.prices.count > 30)
        let providers = Set(file.prices.map(\.provider))
        #expect(providers.isSuperset(of: ["openai", "anthropic", "google", "groq", "together", "mistral", "deepseek", "qwen"]))
        let database = try BursarDatabase()
        let (first, imported) = try database.importPriceFile(file.prices, content: file.content)
        #expect(imported && first.version == 1)
        let (second, again) = try database.importPriceFile(file.prices, content: file.content)
        #expect(!again && second.version == 1)
        let mini = try #require(second.price(for: ModelKey(provider: "openai", model: "gpt-4o-mini"), at: 1_795_375_926_000))
        #expect(mini.cachedInputPerMillion == Money(decimal: "0.075"))
    }

    @Test func aBrokenPriceFileNamesTheLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prices-\(UUID().uuidString).yaml").path
        try "prices:\n  - {provider: a, model: b, input: 1, output: 1}\n  - {provider: a, model: c, input: cheap, output: 1}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try PriceFile.load(path: path)
        } throws: { error in
            "\(error)".contains(":3:") && "\(error)".contains("prices[1].input")
        }
    }
}


/// The database holds every event and key digest: only its owner may read it.
@Suite struct DatabaseFileModeTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func databaseFilesAreOwnerOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mode-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("new.db").path
        let database = try BursarDatabase(path: path)
        _ = try database.createKey(name: "k", role: .router)
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        let copy = folder.appendingPathComponent("copy.db").path
        try database.backup(to: copy)
        #expect(try mode(copy) == 0o600)
        // A database made readable by others (an older version made it 0644) is tightened on open.
        let old = folder.appendingPathComponent("old.db").path
        #expect(FileManager.default.createFile(atPath: old, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try BursarDatabase(path: old)
        #expect(try mode(old) == 0o600)
    }
}
