import Foundation

/// Database files hold every event and key digest: readable by their owner only (0600), like
/// the bundle signing key.
enum PrivateFile {
    /// Creates `path` empty with mode 0600 when it does not exist, and takes group and other
    /// permissions away from it and its WAL and shared-memory files when they do. SQLite
    /// creates those two files with the database file's permissions.
    static func restrict(_ path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }  // SQLite names the problem when it opens the file
        close(descriptor)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file])
            }
        }
    }
}
