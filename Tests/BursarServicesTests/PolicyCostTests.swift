import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing

/// Reading and validating a policy costs work in proportion to what it holds, within fixed
/// bounds, however its YAML anchors and aliases repeat things.
@Suite struct PolicyCostTests {
    static let head = TestPolicies.twoTiers(name: "big")

    /// Rules that all repeat one anchored keyword list (what made validation run for minutes).
    static func aliased(rules: Int, keywords: Int) -> String {
        let list = (0..<keywords).map { "kw\($0)" }.joined(separator: ", ")
        var text = head + "rules:\n"
        for index in 0..<rules {
            let words = index == 0 ? "&words [\(list)]" : "*words"
            text += "  - {id: r\(index), when: {keywords: \(words), team: [t\(index)]}, tier: frontier}\n"
        }
        return text
    }

    @Test func anAliasBombIsRefusedAtOnce() {
        var text = Self.head + "rules: []\n"
        text += "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let reading = PolicyFile.read(text)
        #expect(reading.policy == nil)
        let message = reading.errors.first?.message ?? ""
        #expect(message.contains("more than \(PolicyFile.maximumValues) values"), "\(reading.errors)")
    }

    @Test func thousandsOfRulesRepeatingAKeywordListAreRefusedByTheirSize() {
        // 3,000 rules × 200 aliased keywords: 150 KB of text, 600,000 values once expanded.
        let reading = PolicyFile.read(Self.aliased(rules: 3_000, keywords: 200))
        #expect(reading.policy == nil)
        #expect(!reading.errors.isEmpty)
    }

    @Test func theLargestAcceptedPolicyValidatesInLinearWork() throws {
        // At the bounds: 1,000 rules, each with 80 aliased keywords (86,000 values). The
        // duplicate-conditions check is one hash per rule, not a comparison with every earlier one.
        let reading = PolicyFile.read(Self.aliased(rules: 1_000, keywords: 80))
        #expect(reading.errors.isEmpty, "\(reading.errors.prefix(3))")
        #expect(reading.policy?.rules.count == 1_000)
        let tooMany = PolicyFile.read(Self.aliased(rules: 1_001, keywords: 1))
        #expect(tooMany.errors.contains { $0.field == "rules" && $0.message.contains("at most 1000 rules") })
    }

    @Test func aKeyThatIsNotPlainTextIsRefusedBeforeTheYAMLIsRead() {
        // Yams compares mapping keys while it composes: a billion-laughs alias as a key would
        // be expanded there, before any bound on values applies.
        var bomb = Self.head + "rules: []\n"
        bomb += "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        for key in ["bad:\n  ? *a9\n  : 1\n", "bad: {*a9 : 1}\n", "*a9 : 1\n", "[*a9]: v\n", "[x, *a9]: v\n", "{a: *a9}: v\n", "[[*a9]]: v\n"] {
            let reading = PolicyFile.read(bomb + key)
            #expect(reading.policy == nil)
            #expect(reading.errors.first?.message.contains("a mapping key must be plain text") == true, "\(key): \(reading.errors)")
        }
        // Aliases as values, and stars, brackets and colons in quoted text or comments, are fine.
        #expect(PolicyFile.lineWithComplexKey("keywords: [\"*\", a*b]\nteam: *execs\nx: {y: *z}\nd: \"see [1]: note\" # [x]: y") == nil)
    }
}
