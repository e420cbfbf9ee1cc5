import ArgumentParser
import BursarCore
import BursarCorpus
import Foundation

extension Bursar {
    struct ConformanceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conformance",
            abstract: "The routing conformance corpus (conformance/): generate cases from this engine, or check this engine against them.",
            subcommands: [Generate.self, Check.self])

        struct Generate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write generated cases (random bundles and requests, decided by this engine) as seed-S-NNNN.json files.")

            @Option(help: "How many cases.") var cases = 10_000
            @Option(help: "The seed: the same seed gives the same files.") var seed: UInt64 = 1
            @Option(help: "Where to write them (files of this seed there are replaced).") var output = "conformance/generated"

            func validate() throws {
                guard (1...1_000_000).contains(cases) else { throw ValidationError("--cases must be from 1 to 1000000") }
            }

            func run() throws {
                var generator = ConformanceGenerator(seed: seed)
                let files = try generator.files(cases: cases)
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                for stale in try FileManager.default.contentsOfDirectory(atPath: output) where stale.hasPrefix("seed-\(seed)-") {
                    try FileManager.default.removeItem(atPath: output + "/" + stale)
                }
                for file in files {
                    try Data(file.text.utf8).write(to: URL(fileURLWithPath: output + "/" + file.name))
                }
                Output.line("\(cases) cases in \(files.count) files under \(output)")
            }
        }

        struct Check: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Run every case under the corpus folders against this engine; print each that differs; exit 1 if any does.")

            @Argument(help: "Corpus folders (searched recursively for .json files).") var folders: [String] = ["conformance"]

            func run() throws {
                var passed = 0
                var failed = 0
                for path in try Self.files(under: folders) {
                    let file = try ConformanceFile(name: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                    for result in try file.run() {
                        if result.passed {
                            passed += 1
                        } else {
                            failed += 1
                            Output.line("\(path): \(result.name)\n  expected \(String(decoding: result.expected.serialized(canonical: true), as: UTF8.self))"
                                        + "\n  answered \(String(decoding: result.actual.serialized(canonical: true), as: UTF8.self))")
                        }
                    }
                }
                Output.line("\(passed) cases passed, \(failed) failed")
                if failed > 0 { throw ExitCode(1) }
            }

            /// The corpus files under some folders, in a stable order (`manifest.json`, the list
            /// of files and their case counts, is not one).
            static func files(under folders: [String]) throws -> [String] {
                var paths: [String] = []
                for folder in folders {
                    guard let walker = FileManager.default.enumerator(atPath: folder) else { throw ValidationError("cannot read \(folder)") }
                    while let relative = walker.nextObject() as? String {
                        if relative.hasSuffix(".json"), relative != "manifest.json" { paths.append(folder + "/" + relative) }
                    }
                }
                return paths.sorted()
            }
        }
    }
}
