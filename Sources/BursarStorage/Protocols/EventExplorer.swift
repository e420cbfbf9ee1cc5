import BursarCore

/// Raw events read back one by one, for the request explorer.
public protocol EventExplorer: Sendable {
    /// The lowest and highest `seq` stored; nil when no raw event is kept.
    func eventSeqBounds() throws -> ClosedRange<Int64>?
    /// Up to `limit` events matching `search` whose `seq` lies in `seqs`, highest `seq` first.
    func storedEvents(_ search: EventSearch, seqs: Range<Int64>, limit: Int) throws -> [StoredEvent]
}

extension EventExplorer {
    /// One page of `search`: walks back through arrival order a slice at a time until the
    /// page is full, no older event is left, or `search.examineLimit` events were examined.
    public func searchEvents(_ search: EventSearch) throws -> EventPage {
        guard let bounds = try eventSeqBounds() else { return EventPage(events: [], next: nil, examined: 0) }
        var upper = min(search.before ?? Int64.max, bounds.upperBound + 1)
        var found: [StoredEvent] = []
        var examined: Int64 = 0
        while upper > bounds.lowerBound, found.count < search.limit, examined < search.examineLimit {
            let width = min(search.slice, search.examineLimit - examined, upper - bounds.lowerBound)
            let lower = upper - width
            let matches = try storedEvents(search, seqs: lower..<upper, limit: search.limit - found.count)
            found += matches
            if found.count == search.limit, let last = matches.last {
                // Full inside this slice: go on just below the last event returned.
                examined += upper - last.seq
                upper = last.seq
                break
            }
            examined += width
            upper = lower
        }
        return EventPage(events: found, next: upper > bounds.lowerBound ? upper : nil, examined: examined)
    }
}
