/// What a router instance last reported about the bundle it runs.
public struct RouterStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Runs the current bundle.
        case synced = "SYNCED"
        /// Runs an older bundle and has not reported trouble.
        case stale = "STALE"
        /// Tried a bundle and refused it (bad signature, invalid content), with its error.
        case rejected = "REJECTED"
        /// Not heard from for three poll intervals.
        case silent = "SILENT"
    }

    public static let defaultPollIntervalSeconds: Int64 = 30
    /// The longest error code a report may carry, in UTF-8 bytes.
    public static let maximumErrorCodeBytes = 64
    /// Error messages are cut to this many UTF-8 bytes (on a Unicode scalar's boundary).
    public static let maximumErrorMessageBytes = 1_000
    /// The most instances kept per source: past it, those heard from least recently are forgotten.
    public static let maximumInstancesPerSource = 1_000

    public var instanceID: String
    public var source: String
    public var appliedRevision: String?
    public var attemptedRevision: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var pollIntervalSeconds: Int64
    public var lastSeen: Int64

    public init(instanceID: String, source: String, appliedRevision: String?, attemptedRevision: String?, errorCode: String?,
                errorMessage: String?, pollIntervalSeconds: Int64, lastSeen: Int64) {
        self.instanceID = instanceID
        self.source = source
        self.appliedRevision = appliedRevision
        self.attemptedRevision = attemptedRevision
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.pollIntervalSeconds = pollIntervalSeconds
        self.lastSeen = lastSeen
    }

    public func state(currentRevision: String, now: Int64) -> State {
        if now - lastSeen > 3 * pollIntervalSeconds * 1000 { return .silent }
        if let attempted = attemptedRevision, attempted != appliedRevision, errorCode != nil || errorMessage != nil { return .rejected }
        return appliedRevision == currentRevision ? .synced : .stale
    }

    /// Reads a `POST /v1/status` body, naming the field that is wrong.
    public static func parse(_ body: JSONValue, defaultSource: String, now: Int64) throws(FieldError) -> RouterStatus {
        guard case .object = body else { throw FieldError(code: "invalid_body", message: "a status report is a JSON object") }
        func text(_ name: String) throws(FieldError) -> String? {
            guard let value = body[member: name], value != .null else { return nil }
            guard let text = value.stringValue, StoredText.problem(text, maximumBytes: 256, isName: true) == nil else {
                throw .invalid(name, "must be a non-empty string of at most 256 bytes with no control characters")
            }
            return text
        }
        guard let instance = try text("instance_id") else { throw .missing("instance_id") }
        var interval = defaultPollIntervalSeconds
        if let value = body[member: "poll_interval_s"], value != .null {
            guard case .integer(let seconds) = value, (1...86_400).contains(seconds) else {
                throw .invalid("poll_interval_s", "must be a whole number of seconds from 1 to 86400")
            }
            interval = seconds
        }
        var code: String?
        var message: String?
        if let error = body[member: "error"], error != .null {
            guard case .object = error else { throw .invalid("error", "must be an object with code and message") }
            code = error[member: "code"]?.stringValue
            if let code, !code.isEmpty, let problem = StoredText.problem(code, maximumBytes: maximumErrorCodeBytes, isName: true) {
                throw .invalid("error.code", problem)
            }
            message = error[member: "message"]?.stringValue.map { StoredText.kept($0, maximumBytes: maximumErrorMessageBytes) }
        }
        return RouterStatus(instanceID: instance, source: try text("source") ?? defaultSource,
                            appliedRevision: try text("applied_revision"), attemptedRevision: try text("attempted_revision"),
                            errorCode: code, errorMessage: message, pollIntervalSeconds: interval, lastSeen: now)
    }
}
