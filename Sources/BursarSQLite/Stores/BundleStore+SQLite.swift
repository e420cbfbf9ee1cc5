import BursarCore
import BursarStorage

extension SQLiteDatabase {
    public func bundleContent(now: Int64) throws -> BundleContent {
        try read { db in
            try bundleContent(SQLiteSession(db), now: now) { budgets in
                try budgets.map { try SQLiteRollups(db: db).status($0, now: now) }
            }
        }
    }
}
