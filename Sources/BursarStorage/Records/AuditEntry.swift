import BursarCore

/// One admin change: who, when, what, and the state before and after (as JSON text).
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var time: Int64
    public var actor: String
    public var action: String
    public var target: String
    public var before: String?
    public var after: String?

    public init(id: Int64, time: Int64, actor: String, action: String, target: String, before: String?, after: String?) {
        self.id = id
        self.time = time
        self.actor = actor
        self.action = action
        self.target = target
        self.before = before
        self.after = after
    }
}
