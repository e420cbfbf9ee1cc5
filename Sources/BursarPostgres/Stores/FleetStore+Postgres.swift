import BursarCore
import BursarStorage

/// The last status report of every router instance, kept per source.
extension PostgresDatabase {
    public func recordStatus(_ status: RouterStatus, maximumPerSource: Int) throws {
        try write { connection in
            try connection.execute("""
                INSERT INTO fleet_instances (instance_id, source, applied_revision, attempted_revision, error_code,
                                             error_message, poll_interval_s, last_seen)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (source, instance_id) DO UPDATE SET applied_revision = excluded.applied_revision,
                    attempted_revision = excluded.attempted_revision, error_code = excluded.error_code,
                    error_message = excluded.error_message, poll_interval_s = excluded.poll_interval_s,
                    last_seen = excluded.last_seen
                """, [.text(status.instanceID), .text(status.source), PostgresValue(status.appliedRevision),
                      PostgresValue(status.attemptedRevision), PostgresValue(status.errorCode), PostgresValue(status.errorMessage),
                      PostgresValue(status.pollIntervalSeconds), .integer(status.lastSeen)])
            let count = try connection.execute("SELECT COUNT(*) FROM fleet_instances WHERE source = $1", [.text(status.source)]).first?.integer(0) ?? 0
            guard count > maximumPerSource else { return }
            try connection.execute("""
                DELETE FROM fleet_instances WHERE source = $1 AND instance_id IN (
                    SELECT instance_id FROM fleet_instances WHERE source = $1 AND instance_id <> $2
                    ORDER BY last_seen, instance_id COLLATE "C" LIMIT $3)
                """, [.text(status.source), .text(status.instanceID), .integer(count - Int64(maximumPerSource))])
        }
    }

    public func fleet(after cursor: FleetCursor?, limit: Int) throws -> [RouterStatus] {
        try read { connection in
            try connection.execute("""
                SELECT instance_id, source, applied_revision, attempted_revision, error_code, error_message, poll_interval_s, last_seen
                FROM fleet_instances
                WHERE $1::text IS NULL OR (instance_id COLLATE "C", source COLLATE "C") > ($1::text COLLATE "C", $2::text COLLATE "C")
                ORDER BY instance_id COLLATE "C", source COLLATE "C" LIMIT $3
                """, [PostgresValue(cursor?.instanceID), PostgresValue(cursor?.source), .integer(Int64(limit))]).map { row in
                RouterStatus(instanceID: try row.text(0), source: try row.text(1), appliedRevision: row.string(2),
                             attemptedRevision: row.string(3), errorCode: row.string(4), errorMessage: row.string(5),
                             pollIntervalSeconds: try row.integer(6), lastSeen: try row.integer(7))
            }
        }
    }
}
