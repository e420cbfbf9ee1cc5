import BursarCore
import BursarSQLite
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
        let database = try SQLiteDatabase()
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
