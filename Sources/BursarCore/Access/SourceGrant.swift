/// The event sources a key may write into: events, traces, LiteLLM logs and fleet reports
/// it sends must name one of them, so that no key can pre-empt another router's event ids or
/// overwrite its fleet entry.
///
/// Written as a comma-separated list: exact names, and prefixes ending in `*`
/// (`checkout,eu-router-*`); `*` alone grants every source. A key with no grant owns the
/// source named after itself.
public struct SourceGrant: Sendable, Equatable {
    public private(set) var names: [String]
    public private(set) var prefixes: [String]

    public static let maximumEntries = 100

    /// The grant of a key that was given none: its own name.
    public static func own(_ keyName: String) -> SourceGrant {
        SourceGrant(names: [keyName], prefixes: [])
    }

    public init(names: [String], prefixes: [String]) {
        self.names = names
        self.prefixes = prefixes
    }

    /// Parses `a,b,eu-*`; nil when it is empty, has an empty entry, a `*` inside an entry or
    /// more than `maximumEntries` entries.
    public init?(parsing text: String) {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " ") }
        guard !entries.isEmpty, entries.count <= Self.maximumEntries else { return nil }
        var names: [String] = []
        var prefixes: [String] = []
        for entry in entries {
            guard !entry.isEmpty, entry.utf8.count <= 1024 else { return nil }
            let stars = entry.filter { $0 == "*" }.count
            if stars == 0 {
                names.append(entry)
            } else if stars == 1, entry.hasSuffix("*") {
                prefixes.append(String(entry.dropLast()))
            } else {
                return nil
            }
        }
        self.init(names: names, prefixes: prefixes)
    }

    /// Whether the grant covers `source`, compared byte for byte as events are stored and
    /// deduplicated (a name spelled with other Unicode code points is another source, never
    /// the same one: `café` composed and decomposed are two sources, as they are two rows).
    public func allows(_ source: String) -> Bool {
        names.contains { $0.utf8.elementsEqual(source.utf8) }
            || prefixes.contains { source.utf8.count >= $0.utf8.count && source.utf8.prefix($0.utf8.count).elementsEqual($0.utf8) }
    }

    /// The grant as it is written (`a,b,eu-*`).
    public var text: String {
        (names + prefixes.map { $0 + "*" }).joined(separator: ",")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
