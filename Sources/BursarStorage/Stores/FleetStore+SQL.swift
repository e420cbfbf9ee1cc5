import BursarCore

/// The last status report of every router instance, kept per source (a key writes only its
/// own sources), so one router can neither overwrite nor take another's instance.
extension SQLDatabase {
    public func recordStatus(_ status: RouterStatus, maximumPerSource: Int) throws {
        try writing { session in
            try session.execute("""
                INSERT INTO fleet_instances (instance_id, source, applied_revision, attempted_revision, error_code,
                                             error_message, poll_interval_s, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, instance_id) DO UPDATE SET applied_revision = excluded.applied_revision,
                    attempted_revision = excluded.attempted_revision, error_code = excluded.error_code,
                    error_message = excluded.error_message, poll_interval_s = excluded.poll_interval_s,
                    last_seen = excluded.last_seen
                """, [.text(status.instanceID), .text(status.source), SQLValue(status.appliedRevision),
                      SQLValue(status.attemptedRevision), SQLValue(status.errorCode), SQLValue(status.errorMessage),
                      .integer(status.pollIntervalSeconds), .integer(status.lastSeen)])
            let count = try session.row("SELECT COUNT(*) AS instances FROM fleet_instances WHERE source = ?", [.text(status.source)])?
                .integer("instances") ?? 0
            guard count > maximumPerSource else { return }
            try session.execute("""
                DELETE FROM fleet_instances WHERE source = ? AND instance_id IN (
                    SELECT instance_id FROM fleet_instances WHERE source = ? AND instance_id <> ?
                    ORDER BY last_seen, instance_id\(session.dialect.bytewise) LIMIT ?)
                """, [.text(status.source), .text(status.source), .text(status.instanceID), .integer(count - Int64(maximumPerSource))])
        }
    }

    public func fleet(after cursor: FleetCursor?, limit: Int) throws -> [RouterStatus] {
        try reading { session in
            let bytewise = session.dialect.bytewise
            return try session.rows("""
                SELECT instance_id, source, applied_revision, attempted_revision, error_code, error_message, poll_interval_s, last_seen
                FROM fleet_instances
                WHERE CAST(? AS TEXT) IS NULL
                   OR (instance_id\(bytewise), source\(bytewise)) > (CAST(? AS TEXT)\(bytewise), CAST(? AS TEXT)\(bytewise))
                ORDER BY instance_id\(bytewise), source\(bytewise) LIMIT ?
                """, [SQLValue(cursor?.instanceID), SQLValue(cursor?.instanceID), SQLValue(cursor?.source), SQLValue(limit)]).map { row in
                RouterStatus(instanceID: try row.text("instance_id"), source: try row.text("source"),
                             appliedRevision: try row.optionalText("applied_revision"),
                             attemptedRevision: try row.optionalText("attempted_revision"), errorCode: try row.optionalText("error_code"),
                             errorMessage: try row.optionalText("error_message"), pollIntervalSeconds: try row.integer("poll_interval_s"),
                             lastSeen: try row.integer("last_seen"))
            }
        }
    }
}
