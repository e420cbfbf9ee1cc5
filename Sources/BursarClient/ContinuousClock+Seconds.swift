extension ContinuousClock.Instant {
    /// Now plus `seconds` as a caller passes them: a negative or NaN wait is no wait, and one
    /// longer than a year (infinity included) waits a year, never traps on conversion.
    static func afterSeconds(_ seconds: Double) -> ContinuousClock.Instant {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), 31_536_000)
        return .now + .milliseconds(Int64(bounded * 1000))
    }
}
