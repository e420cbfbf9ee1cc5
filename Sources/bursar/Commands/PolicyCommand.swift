import ArgumentParser
import BursarCore
import BursarStore
import Foundation

extension Bursar {
    struct PolicyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Work with routing policy files.",
            subcommands: [Check.self])

        struct Check: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate policy files; print file:line problems; exit 1 on any error.")

            @Argument(help: "Policy files (YAML).") var files: [String]
            @Option(help: "Price catalog to check models against (missing prices are warnings).")
            var prices = "policies/prices.yaml"

            func run() throws {
                let catalog = FileManager.default.fileExists(atPath: prices)
                    ? PriceCatalog(version: 0, prices: try PriceFile.load(path: prices).prices) : nil
                var failed = false
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        Output.line("\(file): cannot read the file")
                        failed = true
                        continue
                    }
                    let reading = PolicyFile.read(String(decoding: data, as: UTF8.self), catalog: catalog)
                    for problem in reading.problems {
                        Output.line("\(file):\(problem.line.map(String.init) ?? "-"): \(problem.severity.rawValue): \(problem.field): \(problem.message)")
                    }
                    if reading.errors.isEmpty {
                        Output.line("\(file): ok (\(reading.policy?.rules.count ?? 0) rules, \(reading.policy?.tiers.count ?? 0) tiers)")
                    } else {
                        failed = true
                    }
                }
                if failed { throw ExitCode(1) }
            }
        }
    }
}
