import BursarStorage

extension PostgresError: StorageUnavailability {
    /// Not now, perhaps shortly: the server is unreachable or restarting, a standby cannot write
    /// yet (25006, during a failover), or a transaction lost a race (serialization, deadlock).
    public var isTemporary: Bool { isUnavailable || isRetryable || sqlState == "25006" }
}
