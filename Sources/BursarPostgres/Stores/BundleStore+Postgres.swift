import BursarCore
import BursarStorage

extension PostgresDatabase {
    public func bundleContent(now: Int64) throws -> BundleContent {
        try read { connection in
            let rollups = PostgresRollups(connection: connection)
            return try bundleContent(PostgresSession(connection, replicas: replicas), now: now) { budgets in
                try budgets.map { try rollups.status($0, now: now) }
            }
        }
    }
}
