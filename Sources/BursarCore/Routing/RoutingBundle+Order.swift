extension RoutingBundle {
    /// Whether this bundle was issued before `held`, so that a router holding `held` refuses
    /// it (whoever sits between the router and Bursar may replay older, genuinely signed
    /// bundles). Issues are ordered by time, then serial: a database restored from a backup
    /// issues lower serials, but at later times. The same content issued earlier is older too
    /// (it would bring back an earlier `stale_after`); the same issue again is not.
    public func isIssued(before held: RoutingBundle) -> Bool {
        let (issue, heldIssue) = ((issuedAt, serial), (held.issuedAt, held.serial))
        return revision == held.revision ? issue < heldIssue : issue <= heldIssue
    }

    /// Whether the bundle is past its signed `stale_after` at `now` (never, without one).
    public func isStale(at now: Int64) -> Bool {
        staleAfter.map { now > $0 } ?? false
    }
}
