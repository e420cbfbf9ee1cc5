import Foundation

/// Events waiting on disk while Bursar is unreachable: NDJSON lines appended in order, and
/// the offset of the first line not yet acknowledged.
///
/// A batch is read from the offset, sent, and the offset moves past it only once Bursar has
/// acknowledged it, so a crash in between resends it (Bursar drops the duplicates by id).
/// When everything is acknowledged the files are removed.
final class EventSpool {
    let directory: String
    private var linesPath: String { directory + "/events.ndjson" }
    private var offsetPath: String { directory + "/events.offset" }
    private(set) var offset: UInt64 = 0
    private(set) var size: UInt64 = 0

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        size = try Self.cutPartialLine(linesPath)
        if size == 0 {
            // An offset without lines (a crash while removing them) would skip the next lines.
            try? FileManager.default.removeItem(atPath: offsetPath)
        } else if let text = FileManager.default.contents(atPath: offsetPath).map({ String(decoding: $0, as: UTF8.self) }),
                  let stored = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            offset = min(stored, size)
        }
    }

    /// Cuts a last line left unfinished by a crash, so that the next line is not glued to it;
    /// the size of the whole lines that remain.
    static func cutPartialLine(_ path: String) throws -> UInt64 {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        var end = size
        while end > 0 {
            let step = min(UInt64(65_536), end)
            try handle.seek(toOffset: end - step)
            let chunk = try handle.read(upToCount: Int(step)) ?? Data()
            if let newline = chunk.lastIndex(of: 10) {
                end = end - step + UInt64(newline - chunk.startIndex) + 1
                break
            }
            end -= step
        }
        if end != size {
            try handle.truncate(atOffset: end)
            try handle.synchronize()
        }
        return end
    }

    var isEmpty: Bool { offset >= size }

    /// Appends lines (each one event's JSON) and flushes them to disk.
    func append(_ lines: [[UInt8]]) throws {
        guard !lines.isEmpty else { return }
        if !FileManager.default.fileExists(atPath: linesPath) {
            guard FileManager.default.createFile(atPath: linesPath, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: linesPath])
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: linesPath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        var bytes: [UInt8] = []
        for line in lines {
            bytes += line
            bytes.append(10)
        }
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
        size += UInt64(bytes.count)
    }

    /// Up to `limit` lines from the offset, and the offset after them.
    func read(limit: Int) throws -> (lines: [[UInt8]], end: UInt64) {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: linesPath))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        var lines: [[UInt8]] = []
        var position = offset
        var pending: [UInt8] = []
        while lines.count < limit, let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            pending += chunk
            var start = 0
            while lines.count < limit, let newline = pending[start...].firstIndex(of: 10) {
                lines.append(Array(pending[start..<newline]))
                position += UInt64(newline - start + 1)
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        return (lines, position)
    }

    /// Marks everything before `end` acknowledged; removes the files once all is.
    func acknowledge(through end: UInt64) throws {
        offset = end
        if offset >= size {
            // The offset first: a crash in between must not leave an offset for new lines.
            try? FileManager.default.removeItem(atPath: offsetPath)
            try? FileManager.default.removeItem(atPath: linesPath)
            offset = 0
            size = 0
        } else {
            try BundleCache.replace(offsetPath, with: Data(String(offset).utf8))
        }
    }
}
