import BursarCore

/// Bursar's PostgreSQL schema, as migrations; a released migration is never edited. The same
/// tables as on SQLite, with one difference: every rollup row belongs to a shard (one per
/// writing replica), so replicas never update the same row; reads sum the shards.
enum PostgresSchema {
    static var migrator: PostgresMigrator {
        var migrator = PostgresMigrator()
        migrator.register("v1 bursar", sql: v1)
        migrator.register("v2 bundle history", sql: v2)
        migrator.register("v3 user rollups per source", apply: PostgresUserRollupRebuild.rebuild)
        return migrator
    }

    /// Which policy each bundle revision carried, so the fleet shows policies, not hashes.
    static let v2 = """
        CREATE TABLE bundle_history (
            serial BIGINT PRIMARY KEY,
            revision TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            policy_revision TEXT,
            policy_name TEXT
        );
        CREATE INDEX bundle_history_by_revision ON bundle_history (revision);
        """

    static let v1 = """
        CREATE TABLE events (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source TEXT NOT NULL,
            event_id TEXT NOT NULL,
            time BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            model TEXT NOT NULL,
            provider TEXT NOT NULL,
            tier TEXT NOT NULL,
            user_id TEXT NOT NULL,
            team TEXT NOT NULL,
            feature TEXT NOT NULL,
            input_tokens BIGINT NOT NULL,
            cached_input_tokens BIGINT NOT NULL,
            output_tokens BIGINT NOT NULL,
            reasoning_tokens BIGINT NOT NULL,
            cost_nanos BIGINT NOT NULL,
            baseline_nanos BIGINT NOT NULL,
            reported_nanos BIGINT,
            cost_basis BIGINT NOT NULL,
            price_id BIGINT,
            latency_ms BIGINT,
            ttft_ms BIGINT,
            status TEXT NOT NULL,
            request_id TEXT NOT NULL,
            attempt BIGINT NOT NULL,
            reason TEXT NOT NULL,
            rule TEXT NOT NULL,
            policy_revision TEXT NOT NULL,
            intent TEXT NOT NULL,
            complexity DOUBLE PRECISION,
            confidence DOUBLE PRECISION,
            pii BOOLEAN,
            context_tokens BIGINT,
            UNIQUE (source, event_id)
        );
        CREATE INDEX events_by_time ON events (time);
        \(RollupCuboid.firstSchema.flatMap { cuboid in cuboid.grains.map { rollupTableSQL(cuboid, $0) } }.joined(separator: "\n"))
        CREATE TABLE price_catalogs (
            version BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at BIGINT NOT NULL,
            author TEXT NOT NULL,
            origin TEXT NOT NULL
        );
        CREATE TABLE prices (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            catalog_version BIGINT NOT NULL REFERENCES price_catalogs (version),
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            effective_from BIGINT NOT NULL,
            input_nanos BIGINT NOT NULL,
            cached_input_nanos BIGINT NOT NULL,
            output_nanos BIGINT NOT NULL,
            reasoning_nanos BIGINT NOT NULL
        );
        CREATE INDEX prices_by_catalog ON prices (catalog_version);
        CREATE TABLE api_keys (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            secret_sha256 BYTEA NOT NULL UNIQUE,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT,
            sources TEXT
        );
        CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
        CREATE TABLE audit_log (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            time BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_log_by_time ON audit_log (time);
        CREATE TABLE policy_versions (
            revision TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            document TEXT NOT NULL,
            author TEXT NOT NULL,
            origin TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE overrides (
            id TEXT PRIMARY KEY,
            match_user TEXT,
            match_team TEXT,
            match_feature TEXT,
            effect TEXT NOT NULL,
            tier TEXT NOT NULL,
            expires_at BIGINT,
            reason TEXT NOT NULL,
            author TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE fleet_instances (
            source TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            applied_revision TEXT,
            attempted_revision TEXT,
            error_code TEXT,
            error_message TEXT,
            poll_interval_s BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            PRIMARY KEY (source, instance_id)
        );
        CREATE TABLE budgets (
            id TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            author TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE alerts (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            time BIGINT NOT NULL,
            budget_id TEXT NOT NULL,
            from_state TEXT NOT NULL,
            to_state TEXT NOT NULL,
            period_start BIGINT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX alerts_by_budget ON alerts (budget_id, id);
        CREATE TABLE webhook_deliveries (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            url TEXT NOT NULL,
            alert_id BIGINT NOT NULL,
            body TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            delivered_at BIGINT,
            given_up_at BIGINT
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (url, next_attempt_at)
            WHERE delivered_at IS NULL AND given_up_at IS NULL;
        """

    /// A rollup table: one row per bucket, dimension values and shard; the packed counters
    /// (`RollupSums`) and the latency histogram as bytes, as on SQLite.
    static func rollupTableSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let dimensions = cuboid.dimensions.map { "\($0.column) TEXT NOT NULL, " }.joined()
        let key = (["bucket"] + cuboid.dimensions.map(\.column) + ["shard"]).joined(separator: ", ")
        return """
            CREATE TABLE \(cuboid.table(grain)) (
                bucket BIGINT NOT NULL, \(dimensions)shard INTEGER NOT NULL,
                sums BYTEA NOT NULL, latency BYTEA NOT NULL,
                PRIMARY KEY (\(key))
            );
            """
    }
}
