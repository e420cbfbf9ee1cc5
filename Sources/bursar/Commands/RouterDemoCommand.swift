import ArgumentParser
import BursarClient
import BursarCore
import BursarDemo
import BursarHTTPClient
import Foundation
import Logging
import MicroHTTPDServer
import HTTPToolkit

extension Bursar {
    struct RouterDemo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "router-demo",
            abstract: "An example router on the SDK: OpenAI-style /v1/chat/completions in front of fake providers.",
            discussion: """
                Routes each request by Bursar's bundle (rules, overrides, budgets), falls back across \
                providers, escalates on low confidence or invalid output, opens circuit breakers, samples \
                shadows, and ships every attempt as an event. Change a provider while it runs:
                  curl -X PUT http://127.0.0.1:8090/demo/providers/groq -H 'Content-Type: application/json' -d '{"error_rate":1}'
                See GET /demo/state for the breakers, the bundle and the event shipper.
                """)

        @Option(help: "Bursar's address.") var url = "http://127.0.0.1:8080"
        @Option(help: "A router key.") var key: String
        @Option(help: "Address and port to serve on (port 0 picks a free one).") var listen = "127.0.0.1:8090"
        @Option(help: "This router instance's id (the fleet view and the events' source).") var instance = "router-demo"
        @Option(help: "Folder for the cached bundle and the event spool.") var state = "./var/router-demo"
        @Option(help: "The bundle public key to trust (base64); default: learn it from Bursar at first contact.") var publicKey: String?
        @Option(help: "A fake provider's behaviour, e.g. groq:latency=120,error=0.3,garbage=0.05 (repeatable).")
        var provider: [String] = []

        func validate() throws {
            guard WebClient.accepts(url) else { throw ValidationError("--url takes https://HOST[:PORT] or http://HOST[:PORT]") }
            guard Serve.split(listen) != nil else { throw ValidationError("--listen takes HOST:PORT") }
            for text in provider where FakeProviders.Behaviour.parse(text) == nil {
                throw ValidationError("--provider takes NAME:latency=MS,error=RATE,garbage=RATE; '\(text)' is not one")
            }
        }

        func run() throws {
            let defaults: [String: FakeProviders.Behaviour] = [
                "groq": .init(latencyMillis: 60, errorRate: 0, garbageRate: 0),
                "together": .init(latencyMillis: 90, errorRate: 0, garbageRate: 0),
                "anthropic": .init(latencyMillis: 250, errorRate: 0, garbageRate: 0),
                "openai": .init(latencyMillis: 400, errorRate: 0, garbageRate: 0),
                "onprem": .init(latencyMillis: 300, errorRate: 0, garbageRate: 0),
            ]
            var behaviours = defaults
            for text in provider {
                let (name, behaviour) = FakeProviders.Behaviour.parse(text)!
                behaviours[name] = behaviour
            }
            let client = try RouterClient(url: url, key: key, instanceID: instance, stateDirectory: state, publicKey: publicKey)
            client.start()
            let router = DemoRouter(client: client, providers: FakeProviders(behaviours), instanceID: instance)
            let (host, port) = Serve.split(listen)!
            var configuration = MicroHTTPDServer.Configuration()
            configuration.host = host
            configuration.port = port
            configuration.threads = 16
            let shutdown = ShutdownSignal()
            let server = MicroHTTPDServer(configuration: configuration, responder: router, logger: Logger(label: "bursar.router-demo"))
            let bound = try server.start()
            Output.line("router-demo listening on http://\(host):\(bound)/ (Bursar at \(url); bundle from \(client.bundles.snapshot?.origin.rawValue ?? "nowhere yet"))")
            shutdown.wait()
            server.drain()
            client.close()
            let statistics = client.events.statistics
            Output.line("router-demo stopped: \(statistics.accepted) events accepted, \(statistics.spooled) spooled, \(statistics.dropped) dropped")
        }
    }
}
