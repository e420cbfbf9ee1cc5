import BursarCore
import BursarStorage
import Foundation

/// What importing one policy file did.
public struct PolicyImportResult: Sendable {
    public var file: String
    public var problems: [PolicyProblem]
    public var revision: String?
    public var created: Bool
}

extension PolicyStore {
    /// Imports every `*.yaml` policy file of `directory` (all but `prices.yaml`) as a version,
    /// idempotently by content. An invalid file is reported and skipped, so the active policy
    /// stays the last good one. With no active policy yet, `default.yaml` (or the first valid
    /// file) is activated.
    public func importPolicyFiles(directory: String, catalog: PriceCatalog?) throws -> [PolicyImportResult] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") && $0 != "prices.yaml" }
            .sorted { ($0 == "default.yaml" ? 0 : 1, $0) < ($1 == "default.yaml" ? 0 : 1, $1) }
        var results: [PolicyImportResult] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let source = String(decoding: data, as: UTF8.self)
            let reading = PolicyFile.read(source, catalog: catalog)
            guard let policy = reading.policy else {
                results.append(PolicyImportResult(file: path, problems: reading.problems, revision: nil, created: false))
                continue
            }
            let activate = try activePolicy() == nil
            let (version, created) = try addPolicyVersion(policy, source: source, author: "policy file", origin: "file:\(name)",
                                                          activate: activate)
            results.append(PolicyImportResult(file: path, problems: reading.problems, revision: version.revision, created: created))
        }
        return results
    }
}
