import BursarCore
import BursarCorpus
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

    /// Cases passed, failures, and how many cases each file held (`folder/name`).
    static func run(_ folder: String) throws -> (passed: Int, failures: [String], counts: [String: Int]) {
        var passed = 0
        var failures: [String] = []
        var counts: [String: Int] = [:]
        for url in try files(folder) {
            let file = try ConformanceFile(name: url.lastPathComponent, bytes: Array(try Data(contentsOf: url)))
            let results = try file.run()
            counts["\(folder)/\(url.lastPathComponent)"] = results.count
            for result in results {
                if result.passed {
                    passed += 1
                } else {
                    failures.append("\(url.lastPathComponent): \(result.name)\n  expected \(String(decoding: result.expected.serialized(canonical: true), as: UTF8.self))"
                                    + "\n  answered \(String(decoding: result.actual.serialized(canonical: true), as: UTF8.self))")
                }
            }
        }
        return (passed, failures, counts)
    }

    /// `conformance/manifest.json`: each file and how many cases it holds.
    static func manifest() throws -> [String: Int] {
        let document = try JSONValue.parse(Array(try Data(contentsOf: root.appendingPathComponent("manifest.json"))))
        return Dictionary(uniqueKeysWithValues: (document[member: "files"]?.objectMembers ?? []).map { ($0.0, Int($0.1.integerValue ?? -1)) })
    }

    @Test func theEngineAnswersEveryHandWrittenCase() throws {
        let (passed, failures, counts) = try Self.run("cases")
        #expect(failures.isEmpty, "\(failures.count) cases differ:\n\(failures.prefix(20).joined(separator: "\n"))")
        #expect(passed >= 300, "the hand-written corpus has \(passed) cases")
        let expected = try Self.manifest().filter { $0.key.hasPrefix("cases/") }
        #expect(counts == expected, "files or case counts differ from conformance/manifest.json")
    }

    @Test func theEngineAnswersEveryGeneratedCase() throws {
        let (passed, failures, counts) = try Self.run("generated")
        #expect(failures.isEmpty, "\(failures.count) cases differ:\n\(failures.prefix(20).joined(separator: "\n"))")
        #expect(passed >= 10_000, "the generated corpus has \(passed) cases")
        let expected = try Self.manifest().filter { $0.key.hasPrefix("generated/") }
        #expect(counts == expected, "files or case counts differ from conformance/manifest.json")
    }

    /// The README's count of the corpus's cases is the manifest's.
    @Test func theREADMECountsEveryCase() throws {
        let total = try Self.manifest().values.reduce(0, +)
        let readme = try String(contentsOf: Self.root.deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let written = total.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
        #expect(readme.contains("all \(written) cases alike") && readme.contains("its \(written) single-threaded decisions"), "\(written)")
    }

    /// Every generated file is what today's generator makes from seed 1, byte for byte.
    @Test func theGeneratedFilesAreWhatTheirSeedMakes() throws {
        let stored = try Self.files("generated")
        #expect(stored.allSatisfy { $0.lastPathComponent.hasPrefix("seed-1-") })
        var generator = ConformanceGenerator(seed: 1)
        let made = try generator.files(cases: stored.count * ConformanceGenerator.casesPerFile)
        #expect(made.map(\.name) == stored.map(\.lastPathComponent))
        for (file, url) in zip(made, stored) {
            #expect(file.text == String(decoding: try Data(contentsOf: url), as: UTF8.self), "\(url.lastPathComponent) is not what seed 1 makes")
        }
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
