import BursarCore
import GRDB

/// The last status report of every router instance.
extension BursarDatabase {
    /// A report for an instance that another source's router reported first.
    public struct ForeignInstance: Error, Sendable {
        public var instanceID: String
        public var owner: String
    }

    /// Records a report; `ForeignInstance` when the instance was reported under a source that
    /// `sources` does not grant (one router cannot overwrite another's entry).
    public func recordStatus(_ status: RouterStatus, sources: SourceGrant) throws {
        try write { db in
            if let owner = try String.fetchOne(db, sql: "SELECT source FROM fleet_instances WHERE instance_id = ?", arguments: [status.instanceID]),
               !sources.allows(owner) {
                throw ForeignInstance(instanceID: status.instanceID, owner: owner)
            }
            try db.execute(sql: """
                INSERT INTO fleet_instances (instance_id, source, applied_revision, attempted_revision, error_code,
                                             error_message, poll_interval_s, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(instance_id) DO UPDATE SET source = excluded.source, applied_revision = excluded.applied_revision,
                    attempted_revision = excluded.attempted_revision, error_code = excluded.error_code,
                    error_message = excluded.error_message, poll_interval_s = excluded.poll_interval_s,
                    last_seen = excluded.last_seen
                """, arguments: [status.instanceID, status.source, status.appliedRevision, status.attemptedRevision,
                                 status.errorCode, status.errorMessage, status.pollIntervalSeconds, status.lastSeen])
        }
    }

    public func fleet() throws -> [RouterStatus] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM fleet_instances ORDER BY instance_id").map { row in
                RouterStatus(instanceID: row["instance_id"], source: row["source"], appliedRevision: row["applied_revision"],
                             attemptedRevision: row["attempted_revision"], errorCode: row["error_code"],
                             errorMessage: row["error_message"], pollIntervalSeconds: row["poll_interval_s"], lastSeen: row["last_seen"])
            }
        }
    }
}
