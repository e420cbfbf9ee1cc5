/// How much more a store can take before writes are refused for lack of space: what its size
/// cap leaves and what its file system has free. Readiness fails, and ingest is about to be
/// refused, once either is under `minimumBytes`.
public struct StorageRoom: Sendable, Equatable {
    /// Less room than this (1 MiB) and the store counts as full.
    public static let minimumBytes: Int64 = 1 << 20

    /// Bytes the store's data takes now (free pages inside it not counted).
    public var usedBytes: Int64
    /// The size cap, if the store has one.
    public var capBytes: Int64?
    /// What the cap still allows (free pages inside the store count); nil without a cap.
    public var underCapBytes: Int64?
    /// Free on the file system that holds the store (or its log); nil when not known.
    public var fileSystemFreeBytes: Int64?

    public init(usedBytes: Int64, capBytes: Int64?, underCapBytes: Int64?, fileSystemFreeBytes: Int64?) {
        self.usedBytes = usedBytes
        self.capBytes = capBytes
        self.underCapBytes = underCapBytes
        self.fileSystemFreeBytes = fileSystemFreeBytes
    }

    /// The least of what the cap and the file system leave; nil when neither is known.
    public var remainingBytes: Int64? {
        [underCapBytes, fileSystemFreeBytes].compactMap { $0 }.min()
    }

    /// Why writes would be refused for lack of space, or nil while there is room.
    public var shortage: String? {
        if let underCapBytes, let capBytes, underCapBytes < Self.minimumBytes {
            return "the database is full: \(Self.mebibytes(underCapBytes)) MiB left under its cap of \(Self.mebibytes(capBytes)) MiB"
        }
        if let fileSystemFreeBytes, fileSystemFreeBytes < Self.minimumBytes {
            return "the database's file system is full: \(Self.mebibytes(fileSystemFreeBytes)) MiB free"
        }
        return nil
    }

    /// `bytes` in MiB with one decimal.
    static func mebibytes(_ bytes: Int64) -> String {
        let tenths = max(0, bytes) * 10 / (1 << 20)
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// A write refused, or about to be, for lack of space.
public struct StorageFull: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
