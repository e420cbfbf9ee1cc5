import ArgumentParser

extension Bursar {
    /// Measurements that `make bench` runs side by side (scripts/bench.sh prints the ratios).
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmarks (run by make bench).",
            subcommands: [Ingest.self, Insert.self, Copy.self, Seed.self, Query.self, LongPoll.self, Decide.self, Shipper.self])
    }
}
