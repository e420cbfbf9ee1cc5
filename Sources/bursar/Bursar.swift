import ArgumentParser

@main
struct Bursar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bursar",
        abstract: "Cost observability and policy control plane for multi-model LLM routing.",
        subcommands: [Serve.self, Keys.self, PolicyCommand.self, ConformanceCommand.self, Demo.self, RouterDemo.self, Backup.self, Copy.self, Migrate.self],
        defaultSubcommand: Serve.self)
}
