/// Deleting old raw events (rollups are kept) and giving their space back.
public protocol RetentionStore: Sendable {
    /// Deletes up to `limit` raw events older than `cutoff` in one short transaction; how many.
    func deleteRawEvents(before cutoff: Int64, limit: Int) throws -> Int
    /// Returns up to `pages` free pages to the file system; how many free pages remain.
    @discardableResult
    func releaseFreePages(_ pages: Int) throws -> Int
    /// Pages in use, free pages, and the page size.
    func pageCounts() throws -> (pages: Int, free: Int, pageSize: Int)
}
