import BursarCore
import BursarStorage
import GRDB

/// The last status report of every router instance.
extension BursarDatabase {
    /// Records a report. Instances are kept per source (a key writes only its own sources), so
    /// one router can neither overwrite nor take another's instance.
    public func recordStatus(_ status: RouterStatus) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO fleet_instances (instance_id, source, applied_revision, attempted_revision, error_code,
                                             error_message, poll_interval_s, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(source, instance_id) DO UPDATE SET applied_revision = excluded.applied_revision,
                    attempted_revision = excluded.attempted_revision, error_code = excluded.error_code,
                    error_message = excluded.error_message, poll_interval_s = excluded.poll_interval_s,
                    last_seen = excluded.last_seen
                """, arguments: [status.instanceID, status.source, status.appliedRevision, status.attemptedRevision,
                                 status.errorCode, status.errorMessage, status.pollIntervalSeconds, status.lastSeen])
        }
    }

    public func fleet() throws -> [RouterStatus] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM fleet_instances ORDER BY instance_id, source").map { row in
                RouterStatus(instanceID: row["instance_id"], source: row["source"], appliedRevision: row["applied_revision"],
                             attemptedRevision: row["attempted_revision"], errorCode: row["error_code"],
                             errorMessage: row["error_message"], pollIntervalSeconds: row["poll_interval_s"], lastSeen: row["last_seen"])
            }
        }
    }
}
