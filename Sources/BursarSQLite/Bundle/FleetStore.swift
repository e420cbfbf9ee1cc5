import BursarCore
import BursarStorage
import GRDB

/// The last status report of every router instance.
extension SQLiteDatabase {
    /// Records a report. Instances are kept per source (a key writes only its own sources), so
    /// one router can neither overwrite nor take another's instance.
    public func recordStatus(_ status: RouterStatus, maximumPerSource: Int) throws {
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
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fleet_instances WHERE source = ?", arguments: [status.source]) ?? 0
            guard count > maximumPerSource else { return }
            try db.execute(sql: """
                DELETE FROM fleet_instances WHERE source = ? AND instance_id IN (
                    SELECT instance_id FROM fleet_instances WHERE source = ? AND instance_id <> ?
                    ORDER BY last_seen, instance_id LIMIT ?)
                """, arguments: [status.source, status.source, status.instanceID, count - maximumPerSource])
        }
    }

    public func fleet(after cursor: FleetCursor?, limit: Int) throws -> [RouterStatus] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM fleet_instances WHERE ? IS NULL OR (instance_id, source) > (?, ?)
                ORDER BY instance_id, source LIMIT ?
                """, arguments: [cursor?.instanceID, cursor?.instanceID, cursor?.source, limit]).map { row in
                RouterStatus(instanceID: row["instance_id"], source: row["source"], appliedRevision: row["applied_revision"],
                             attemptedRevision: row["attempted_revision"], errorCode: row["error_code"],
                             errorMessage: row["error_message"], pollIntervalSeconds: row["poll_interval_s"], lastSeen: row["last_seen"])
            }
        }
    }
}
