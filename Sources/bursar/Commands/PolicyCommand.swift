import ArgumentParser
import BursarClient
import BursarCore
import BursarHTTPClient
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation

extension Bursar {
    struct PolicyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Work with routing policy files.",
            subcommands: [Check.self, Simulate.self])

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
    
        struct Simulate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Replay past traffic through a candidate policy beside the active one, on a running Bursar.")

            @Argument(help: "The candidate policy (YAML).") var file: String
            @Option(help: "Replay this many days up to now.") var days = 30
            @Option(help: "Bursar's address.") var url = "http://127.0.0.1:8080"
            @Option(help: "An admin key.") var key: String
            @Flag(help: "Print the server's JSON answer as it is.") var json = false

            func run() throws {
                guard let source = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                guard WebClient.accepts(url) else { throw ValidationError("--url must look like https://host:port or http://host:port") }
                let reply = try WebClient().send("POST", url + "/v1/policies/simulate?days=\(days)", headers: [
                    "Authorization": "Bearer \(key)", "Content-Type": "application/yaml",
                ], body: Array(source), timeoutSeconds: 600)
                if json || reply.status != 200 {
                    Output.line(reply.text)
                    if reply.status != 200 { throw ExitCode(1) }
                    return
                }
                let answer = try JSONValue.parse(reply.body)
                Output.line(SimulationSummary.text(answer))
            }
        }
}
}
