import HTTPToolkit

extension Request {
    /// A whole-number query parameter within `range`, or nil when it is absent; 400 naming it
    /// otherwise.
    func integerParameter(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = query[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw HTTPError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return value
    }
}
