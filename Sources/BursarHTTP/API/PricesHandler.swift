import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// `GET /v1/prices` and `PUT /v1/prices` (a whole new catalog version).
struct PricesHandler: Sendable {
    let store: any PriceStore
    let prices: PriceBook

    /// The catalog in force, or with `?version=N` a stored older one.
    func get(_ request: Request, _ context: APIContext) throws -> Reply {
        guard let text = request.query["version"] else { return .response(.json(PriceList.json(prices.current.catalog))) }
        guard let version = Int64(text), version > 0 else {
            throw HTTPError.badRequest("version must be a positive whole number (a catalog version)", field: "version")
        }
        guard let catalog = try store.priceCatalog(version: version) else { throw HTTPError.notFound("no price catalog version \(version)") }
        return .response(.json(PriceList.json(catalog)))
    }

    /// `GET /v1/prices/versions`: every catalog version, newest first.
    func versions(_ request: Request, _ context: APIContext) throws -> Reply {
        .response(.json(.object([("versions", .array(try store.priceCatalogVersions().map { version in
            .object([
                ("version", .integer(version.version)),
                ("created_at", .string(Timestamp.format(version.createdAt))),
                ("author", .string(version.author)),
                ("origin", .string(version.origin)),
                ("prices", .integer(Int64(version.prices))),
            ])
        }))])))
    }

    func put(_ request: Request, _ context: APIContext) throws -> Reply {
        guard request.mediaType == "application/json" else {
            throw HTTPError(415, code: "unsupported_media_type", message: "send the price list as application/json", field: "Content-Type")
        }
        let entries = try Self.entries(request.body)
        let list: [ModelPrice]
        do {
            list = try PriceList.prices(from: entries)
        } catch {
            throw HTTPError(422, error)
        }
        let catalog = try store.addPriceCatalog(list, author: context.key?.name ?? "unknown", origin: "api")
        return .response(.json(PriceList.json(catalog)))
    }

    /// `{"prices":[{...}]}` with every value kept as its exact text.
    static func entries(_ body: [UInt8]) throws -> [[String: String]] {
        var entries: [[String: String]] = []
        var sawPrices = false
        do {
            try body.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in
                var scanner = JSONScanner(bytes)
                guard scanner.peek() == UInt8(ascii: "{") else {
                    throw JSONSyntaxError(message: "expected an object with a 'prices' list", offset: 0)
                }
                try scanner.readObject { scanner, name throws(JSONSyntaxError) in
                    guard name == "prices", scanner.peek() == UInt8(ascii: "[") else {
                        _ = try scanner.readScalar()
                        return
                    }
                    sawPrices = true
                    try scanner.readArray { scanner, index throws(JSONSyntaxError) in
                        guard index < PriceList.maximumPrices else {
                            throw JSONSyntaxError(message: "more than \(PriceList.maximumPrices) prices in one catalog", offset: scanner.position, isTooLarge: true)
                        }
                        var entry: [String: String] = [:]
                        try scanner.readObject { scanner, field throws(JSONSyntaxError) in
                            guard entry.count < 32 else {
                                throw JSONSyntaxError(message: "a price has more than 32 fields", offset: scanner.position, isTooLarge: true)
                            }
                            switch try scanner.readScalar() {
                            case .string(let text): entry[field] = text
                            case .number(let digits): entry[field] = String(decoding: digits, as: UTF8.self)
                            case .null: break
                            default: entry[field] = ""
                            }
                        }
                        entries.append(entry)
                    }
                }
                guard scanner.peek() == nil else { throw JSONSyntaxError(message: "unexpected data after the JSON value", offset: scanner.position) }
            }
        } catch {
            throw HTTPError(decoding: error, what: "the price list")
        }
        guard sawPrices else { throw HTTPError(422, code: "missing_field", message: "prices is required", field: "prices") }
        return entries
    }
}
