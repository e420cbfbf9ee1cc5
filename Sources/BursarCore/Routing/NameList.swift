/// A list of names to match against: a plain array while short (comparing a few strings is
/// cheaper than hashing one), a set when long.
struct NameList: Sendable {
    private let names: [String]
    private let set: Set<String>?

    init(_ names: [String]) {
        self.names = names
        set = names.count > 8 ? Set(names) : nil
    }

    func contains(_ name: String) -> Bool {
        if let set { return set.contains(name) }
        for candidate in names where candidate == name { return true }
        return false
    }
}
