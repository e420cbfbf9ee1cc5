import ArgumentParser

/// Measurements that `make bench` runs side by side (scripts/bench.sh prints the ratios);
/// apart from the product, so `bursar` carries none of it.
@main
struct BursarBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bursar-bench",
        abstract: "Benchmarks (run by make bench).",
        subcommands: [Ingest.self, Insert.self, Copy.self, Seed.self, Query.self, LongPoll.self, Decide.self, Shipper.self])
}
