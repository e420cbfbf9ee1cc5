import BursarCore
import BursarStorage
import GRDB

/// The database schema, as migrations registered by id; a released migration is never edited.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 events, rollups, prices, keys") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    model TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    team TEXT NOT NULL,
                    feature TEXT NOT NULL,
                    input_tokens INTEGER NOT NULL,
                    cached_input_tokens INTEGER NOT NULL,
                    output_tokens INTEGER NOT NULL,
                    reasoning_tokens INTEGER NOT NULL,
                    cost_nanos INTEGER NOT NULL,
                    baseline_nanos INTEGER NOT NULL,
                    reported_nanos INTEGER,
                    cost_basis INTEGER NOT NULL,
                    price_id INTEGER,
                    latency_ms INTEGER,
                    ttft_ms INTEGER,
                    status TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    policy_revision TEXT NOT NULL,
                    intent TEXT NOT NULL,
                    complexity REAL,
                    confidence REAL,
                    pii INTEGER,
                    context_tokens INTEGER
                );
                CREATE UNIQUE INDEX events_identity ON events(source, event_id);
                """)
            for cuboid in RollupCuboid.firstSchema {
                for grain in cuboid.grains {
                    try db.execute(sql: rollupTableSQL(cuboid, grain))
                }
            }
            try db.execute(sql: """
                CREATE TABLE price_catalogs (
                    version INTEGER PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    author TEXT NOT NULL,
                    origin TEXT NOT NULL
                );
                CREATE TABLE prices (
                    id INTEGER PRIMARY KEY,
                    catalog_version INTEGER NOT NULL REFERENCES price_catalogs(version),
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    effective_from INTEGER NOT NULL,
                    input_nanos INTEGER NOT NULL,
                    cached_input_nanos INTEGER NOT NULL,
                    output_nanos INTEGER NOT NULL,
                    reasoning_nanos INTEGER NOT NULL
                );
                CREATE INDEX prices_by_catalog ON prices(catalog_version);
                CREATE TABLE api_keys (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    secret_sha256 BLOB NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
                """)
        }
        migrator.registerMigration("v2 audit log, policy versions, settings") { db in
            try db.execute(sql: """
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    before TEXT,
                    after TEXT
                );
                CREATE INDEX audit_log_by_time ON audit_log(time);
                CREATE TABLE policy_versions (
                    revision TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    source TEXT NOT NULL,
                    document TEXT NOT NULL,
                    author TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE settings (
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3 overrides") { db in
            try db.execute(sql: """
                CREATE TABLE overrides (
                    id TEXT PRIMARY KEY,
                    match_user TEXT,
                    match_team TEXT,
                    match_feature TEXT,
                    effect TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    expires_at INTEGER,
                    reason TEXT NOT NULL,
                    author TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """)
        }
        migrator.registerMigration("v4 fleet") { db in
            try db.execute(sql: """
                CREATE TABLE fleet_instances (
                    instance_id TEXT PRIMARY KEY,
                    source TEXT NOT NULL,
                    applied_revision TEXT,
                    attempted_revision TEXT,
                    error_code TEXT,
                    error_message TEXT,
                    poll_interval_s INTEGER NOT NULL,
                    last_seen INTEGER NOT NULL
                )
                """)
        }
        migrator.registerMigration("v5 budgets") { db in
            try db.execute(sql: """
                CREATE TABLE budgets (
                    id TEXT PRIMARY KEY,
                    definition TEXT NOT NULL,
                    author TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """)
        }
        migrator.registerMigration("v6 alerts") { db in
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    budget_id TEXT NOT NULL,
                    from_state TEXT NOT NULL,
                    to_state TEXT NOT NULL,
                    period_start INTEGER NOT NULL,
                    document TEXT NOT NULL
                );
                CREATE INDEX alerts_by_budget ON alerts(budget_id, id);
                """)
        }
        migrator.registerMigration("v7 key sources") { db in
            // The sources a key may write into (`a,b,eu-*`); NULL: the key's own name.
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN sources TEXT")
        }
        migrator.registerMigration("v8 webhook deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_deliveries (
                    id INTEGER PRIMARY KEY,
                    url TEXT NOT NULL,
                    alert_id INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    delivered_at INTEGER,
                    given_up_at INTEGER
                );
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries(url, next_attempt_at)
                    WHERE delivered_at IS NULL AND given_up_at IS NULL;
                """)
        }
        migrator.registerMigration("v9 fleet instances per source") { db in
            // Instance ids are a source's own: one router cannot take another's id.
            try db.execute(sql: """
                CREATE TABLE fleet_instances_by_source (
                    source TEXT NOT NULL,
                    instance_id TEXT NOT NULL,
                    applied_revision TEXT,
                    attempted_revision TEXT,
                    error_code TEXT,
                    error_message TEXT,
                    poll_interval_s INTEGER NOT NULL,
                    last_seen INTEGER NOT NULL,
                    PRIMARY KEY (source, instance_id)
                );
                INSERT INTO fleet_instances_by_source
                    SELECT source, instance_id, applied_revision, attempted_revision, error_code, error_message, poll_interval_s, last_seen
                    FROM fleet_instances;
                DROP TABLE fleet_instances;
                ALTER TABLE fleet_instances_by_source RENAME TO fleet_instances;
                """)
        }
        migrator.registerMigration("v10 bundle history") { db in
            // Which policy each bundle revision carried, so the fleet shows policies, not hashes.
            try db.execute(sql: """
                CREATE TABLE bundle_history (
                    serial INTEGER PRIMARY KEY,
                    revision TEXT NOT NULL,
                    issued_at INTEGER NOT NULL,
                    policy_revision TEXT,
                    policy_name TEXT
                );
                CREATE INDEX bundle_history_by_revision ON bundle_history(revision);
                """)
        }
        migrator.registerMigration("v11 user rollups per source") { db in
            // No rollup row may be shared by two sources (see RollupCuboid): the user rollups
            // gain the source, rebuilt exactly from the detail rollups, which keep it.
            try UserRollupRebuild.rebuild(db)
        }
        return migrator
    }

    static func rollupTableSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let dimensions = cuboid.dimensions.map { "\($0.column) TEXT NOT NULL" }.joined(separator: ", ")
        let key = (["bucket"] + cuboid.dimensions.map(\.column)).joined(separator: ", ")
        return """
            CREATE TABLE \(cuboid.table(grain)) (
                bucket INTEGER NOT NULL, \(dimensions),
                sums BLOB NOT NULL, latency BLOB NOT NULL,
                PRIMARY KEY (\(key))
            ) WITHOUT ROWID
            """
    }
}
