import BursarCore
import BursarTesting
import Foundation
import Testing

/// `bursar conformance generate` and `check`, as a maintainer runs them from the repository.
@Suite struct ConformanceCommandTests {
    @Test func generatedCasesAreWrittenAndCheckedAgainstThisEngine() throws {
        let output = NSTemporaryDirectory() + "bursar-conformance-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let made = try ServerProcess.run(["conformance", "generate", "--cases", "300", "--seed", "7", "--output", output])
        #expect(made.contains("300 cases in 2 files"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).sorted() == ["seed-7-0001.json", "seed-7-0002.json"])
        #expect(try ServerProcess.run(["conformance", "check", output]).hasSuffix("300 cases passed, 0 failed\n"))
    }

    /// `bursar conformance check` (its default folder, `conformance`): every case file; the
    /// manifest beside them is not one.
    @Test func theWholeCorpusIsChecked() throws {
        let root = ServerProcess.packageRoot.path + "/conformance"
        let manifest = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/manifest.json"))))
        let total = (manifest[member: "files"]?.objectMembers ?? []).reduce(0) { $0 + ($1.1.integerValue ?? 0) }
        #expect(try ServerProcess.run(["conformance", "check", root]).hasSuffix("\(total) cases passed, 0 failed\n"))
    }

    @Test func aCaseThatDiffersFailsTheCheck() throws {
        let output = NSTemporaryDirectory() + "bursar-conformance-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try ServerProcess.run(["conformance", "generate", "--cases", "1", "--seed", "8", "--output", output])
        let path = output + "/seed-8-0001.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: #""locked":false"#, with: #""locked":true"#).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ServerProcess.Failure.self) { try ServerProcess.run(["conformance", "check", output]) }
    }
}
