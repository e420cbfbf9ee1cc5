#ifndef BURSAR_POWER_LOSS_H
#define BURSAR_POWER_LOSS_H

/// A SQLite VFS for power-loss tests. Installed as the default VFS, it passes every file
/// through to the platform's VFS, and for files under a watched directory it also keeps a
/// "durable image": the file as it was at its last sync (every write applied only once the
/// file is synced). Cutting the power copies those images elsewhere: the directory as a
/// machine that lost power at that instant would find it on restart, every write not yet
/// synced gone. The live files are not touched, so the test's database goes on working.

/// Registers the VFS as the default, once; returns SQLITE_OK (0) or SQLite's error code.
int power_loss_install(void);

/// Watches `directory` (an absolute path, created and empty): files opened under it from now
/// on get durable images. Returns 0, or -1 when the directory cannot be resolved.
int power_loss_watch(const char *directory);

/// Writes the durable images of every file under `directory` into `destination` (created),
/// atomically with respect to syncs. Returns how many files were written, or -1.
int power_loss_cut(const char *directory, const char *destination);

#endif
