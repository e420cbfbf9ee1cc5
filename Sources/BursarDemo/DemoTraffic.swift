import BursarCore
import BursarHTTPClient

/// Synthetic router traffic sent through the real HTTP ingest, in batches (`bursar demo`).
public struct DemoTraffic {
    public struct Tally: Sendable {
        public var sent = 0, accepted = 0, duplicates = 0, rejected = 0
    }

    /// The server refused a batch.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    public let url: String
    public let key: String
    public let batchSize: Int

    public init(url: String, key: String, batchSize: Int) {
        self.url = url
        self.key = key
        self.batchSize = batchSize
    }

    /// Sends `events` events from `generator` and counts what the server said of them.
    public func send(_ events: Int, from generator: inout TrafficGenerator) throws -> Tally {
        let client = try WebClient()
        var tally = Tally()
        var batch: [JSONValue] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            let reply = try client.send("POST", url + "/v1/events", headers: [
                "Authorization": "Bearer \(key)", "Content-Type": "application/json",
            ], body: JSONValue.array(batch).serialized(), timeoutSeconds: 60)
            guard reply.status == 200 else { throw Refused(description: "Bursar answered \(reply.status): \(reply.text)") }
            tally.accepted += Self.count("accepted", in: reply.text)
            tally.duplicates += Self.count("duplicates", in: reply.text)
            tally.rejected += reply.text.components(separatedBy: "\"index\"").count - 1
            batch.removeAll(keepingCapacity: true)
        }
        while tally.sent < events {
            for event in generator.nextRequest() where tally.sent < events {
                batch.append(event.json)
                tally.sent += 1
                if batch.count == batchSize { try flush() }
            }
        }
        try flush()
        return tally
    }

    /// The number after `"name":` in an ingest reply (0 when absent).
    public static func count(_ name: String, in text: String) -> Int {
        guard let range = text.range(of: "\"\(name)\":") else { return 0 }
        return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }
}
