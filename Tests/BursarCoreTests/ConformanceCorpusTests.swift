import BursarCore
import Foundation
import Testing

/// The routing conformance corpus (`conformance/`) defines how routers decide: this engine
/// must answer every case as written, and the generated files must be what the generator
/// makes from their seed today.
@Suite struct ConformanceCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conformance")

    static func files(_ folder: String) throws -> [URL] {
        let directory = root.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func run(_ folder: String) throws -> (passed: Int, failures: [String]) {
        var passed = 0
        var failures: [String] = []
        for url in try files(folder) {
            let file = try ConformanceFile(name: url.lastPathComponent, bytes: Array(try Data(contentsOf: url)))
            for result in try file.run() {
                if result.passed {
                    passed += 1
                } else {
                    failures.append("\(url.lastPathComponent): \(result.name)\n  expected \(String(decoding: result.expected.serialized(canonical: true), as: UTF8.self))"
                                    + "\n  answered \(String(decoding: result.actual.serialized(canonical: true), as: UTF8.self))")
                }
            }
        }
        return (passed, failures)
    }

    @Test func theEngineAnswersEveryHandWrittenCase() throws {
        let (passed, failures) = try Self.run("cases")
        #expect(failures.isEmpty, "\(failures.count) cases differ:\n\(failures.prefix(20).joined(separator: "\n"))")
        #expect(passed >= 300, "the hand-written corpus has \(passed) cases")
    }

    @Test func theEngineAnswersEveryGeneratedCase() throws {
        let (passed, failures) = try Self.run("generated")
        #expect(failures.isEmpty, "\(failures.count) cases differ:\n\(failures.prefix(20).joined(separator: "\n"))")
        #expect(passed >= 10_000, "the generated corpus has \(passed) cases")
    }

    /// The generator is sequential, so its first file stands for the rest (each case of every
    /// file is checked above; this checks the files were made by today's generator).
    @Test func theGeneratedFilesAreWhatTheirSeedMakes() throws {
        let stored = try Self.files("generated")
        #expect(stored.count * ConformanceGenerator.casesPerFile >= 10_000)
        #expect(stored.allSatisfy { $0.lastPathComponent.hasPrefix("seed-1-") })
        var generator = ConformanceGenerator(seed: 1)
        let first = try generator.files(cases: ConformanceGenerator.casesPerFile)
        #expect(first.map(\.name) == [stored[0].lastPathComponent])
        #expect(first[0].text == String(decoding: try Data(contentsOf: stored[0]), as: UTF8.self), "\(stored[0].lastPathComponent) is not what seed 1 makes")
    }

    @Test func aChangedExpectationIsCaught() throws {
        let url = try Self.files("cases").first { $0.lastPathComponent == "rules.json" }!
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        // The corpus says pii goes to secure; a copy that says fast must fail.
        let changed = text.replacingOccurrences(of: #""name": "pii goes to secure, locked", "request": {"pii": true}, "expect": {"decision": {"tier": "secure""#,
                                                with: #""name": "pii goes to secure, locked", "request": {"pii": true}, "expect": {"decision": {"tier": "fast""#)
        #expect(changed != text)
        let results = try ConformanceFile(name: "changed", bytes: Array(changed.utf8)).run()
        #expect(results.filter { !$0.passed }.map(\.name) == ["pii goes to secure, locked"])
    }
}
