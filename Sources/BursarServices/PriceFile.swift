import BursarCore
import BursarStorage
import Foundation
import Yams

/// `policies/prices.yaml`: the price list loaded at start.
public enum PriceFile {
    public struct Problem: Error, CustomStringConvertible {
        public var path: String
        public var line: Int?
        public var message: String

        public var description: String {
            "\(path)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }

    /// Reads the file; amounts keep their exact decimal text (YAML floats are never used).
    public static func load(path: String) throws -> (prices: [ModelPrice], content: [UInt8]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(path: path, line: nil, message: "cannot read the price file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problem(path: path, line: nil, message: "not valid YAML: \(error)")
        }
        guard let entries = root?["prices"]?.sequence else {
            throw Problem(path: path, line: 1, message: "expected a top-level 'prices:' list")
        }
        var fields: [[String: String]] = []
        var lines: [Int] = []
        for entry in entries {
            guard let mapping = entry.mapping else {
                throw Problem(path: path, line: entry.mark.map { $0.line }, message: "each price must be a mapping")
            }
            var values: [String: String] = [:]
            for (key, value) in mapping {
                guard let name = key.string, let scalar = value.scalar else {
                    throw Problem(path: path, line: value.mark.map { $0.line }, message: "price fields must be plain values")
                }
                values[name] = scalar.string
            }
            fields.append(values)
            lines.append(entry.mark?.line ?? 0)
        }
        do {
            return (try PriceList.prices(from: fields), Array(data))
        } catch {
            let index = Int(error.field?.split(separator: "[").dropFirst().first?.split(separator: "]").first ?? "")
            throw Problem(path: path, line: index.map { lines[$0] }, message: "\(error.field ?? ""): \(error.message)")
        }
    }
}
