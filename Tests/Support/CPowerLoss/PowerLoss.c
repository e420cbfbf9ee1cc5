#include "PowerLoss.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/// A write (`data` set) or a truncation (`data` NULL, `offset` the new size) not synced yet.
typedef struct Change {
    struct Change *next;
    unsigned long long serial;
    sqlite3_int64 offset;
    int amount;
    unsigned char *data;
} Change;

/// One watched file: where its durable image is kept, and its changes since the last sync.
typedef struct Image {
    struct Image *next;
    char *path;
    char *durable;
    Change *first;
    Change *last;
    unsigned long long changes;  // serials given so far
} Image;

/// A watched directory (resolved) and the directory beside it that holds its durable images.
typedef struct Watched {
    struct Watched *next;
    char *directory;
    char *images;
} Watched;

/// What SQLite holds for a watched file: the platform's file follows this struct.
typedef struct WatchedFile {
    sqlite3_file base;
    Image *image;
    sqlite3_file *real;
} WatchedFile;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs *platform;
static sqlite3_vfs vfs;
static Watched *watched;
static Image *images;

static int isUnder(const char *path, const char *directory) {
    size_t length = strlen(directory);
    return strncmp(path, directory, length) == 0 && path[length] == '/';
}

/// Call with `lock` held.
static Watched *watchedDirectory(const char *path) {
    for (Watched *w = watched; w; w = w->next) {
        if (isUnder(path, w->directory)) return w;
    }
    return NULL;
}

/// Call with `lock` held.
static Image *imageOf(const char *path) {
    for (Image *i = images; i; i = i->next) {
        if (strcmp(i->path, path) == 0) return i;
    }
    return NULL;
}

/// Drops the changes numbered below `upTo` (all of them: `forget(image, ULLONG_MAX)`). Call with `lock` held.
static void forget(Image *image, unsigned long long upTo) {
    while (image->first && image->first->serial < upTo) {
        Change *next = image->first->next;
        free(image->first->data);
        free(image->first);
        image->first = next;
    }
    if (!image->first) image->last = NULL;
}

/// Call with `lock` held.
static int record(Image *image, sqlite3_int64 offset, const void *data, int amount) {
    Change *change = calloc(1, sizeof(Change));
    if (!change) return SQLITE_NOMEM;
    change->serial = image->changes++;
    change->offset = offset;
    change->amount = amount;
    if (data) {
        change->data = malloc((size_t)amount);
        if (!change->data) {
            free(change);
            return SQLITE_NOMEM;
        }
        memcpy(change->data, data, (size_t)amount);
    }
    if (image->last) image->last->next = change; else image->first = change;
    image->last = change;
    return SQLITE_OK;
}

/// The file is synced: its changes numbered below `upTo` (those made before the sync began)
/// become part of its durable image; later ones wait for the next sync. Call with `lock` held.
static int makeDurable(Image *image, unsigned long long upTo) {
    int descriptor = open(image->durable, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor < 0) return SQLITE_IOERR_FSYNC;
    int rc = SQLITE_OK;
    for (Change *c = image->first; c && c->serial < upTo && rc == SQLITE_OK; c = c->next) {
        if (!c->data) {
            if (ftruncate(descriptor, (off_t)c->offset) != 0) rc = SQLITE_IOERR_FSYNC;
            continue;
        }
        for (int written = 0; written < c->amount;) {
            ssize_t n = pwrite(descriptor, c->data + written, (size_t)(c->amount - written), (off_t)(c->offset + written));
            if (n <= 0) {
                rc = SQLITE_IOERR_FSYNC;
                break;
            }
            written += (int)n;
        }
    }
    close(descriptor);
    forget(image, upTo);
    return rc;
}

#define REAL(file) (((WatchedFile *)(file))->real)

static int watchedClose(sqlite3_file *file) {
    return REAL(file)->pMethods->xClose(REAL(file));
}

static int watchedRead(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
    return REAL(file)->pMethods->xRead(REAL(file), buffer, amount, offset);
}

static int watchedWrite(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
    int rc = REAL(file)->pMethods->xWrite(REAL(file), buffer, amount, offset);
    if (rc != SQLITE_OK) return rc;
    pthread_mutex_lock(&lock);
    rc = record(((WatchedFile *)file)->image, offset, buffer, amount);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int watchedTruncate(sqlite3_file *file, sqlite3_int64 size) {
    int rc = REAL(file)->pMethods->xTruncate(REAL(file), size);
    if (rc != SQLITE_OK) return rc;
    pthread_mutex_lock(&lock);
    rc = record(((WatchedFile *)file)->image, size, NULL, 0);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int watchedSync(sqlite3_file *file, int flags) {
    Image *image = ((WatchedFile *)file)->image;
    pthread_mutex_lock(&lock);
    unsigned long long upTo = image->changes;  // what the sync covers: the changes made before it began
    pthread_mutex_unlock(&lock);
    int rc = REAL(file)->pMethods->xSync(REAL(file), flags);
    if (rc != SQLITE_OK) return rc;
    pthread_mutex_lock(&lock);
    rc = makeDurable(image, upTo);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int watchedFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int watchedLock(sqlite3_file *file, int level) {
    return REAL(file)->pMethods->xLock(REAL(file), level);
}

static int watchedUnlock(sqlite3_file *file, int level) {
    return REAL(file)->pMethods->xUnlock(REAL(file), level);
}

static int watchedCheckReservedLock(sqlite3_file *file, int *reserved) {
    return REAL(file)->pMethods->xCheckReservedLock(REAL(file), reserved);
}

static int watchedFileControl(sqlite3_file *file, int operation, void *argument) {
    return REAL(file)->pMethods->xFileControl(REAL(file), operation, argument);
}

static int watchedSectorSize(sqlite3_file *file) {
    return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int watchedDeviceCharacteristics(sqlite3_file *file) {
    return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int watchedShmMap(sqlite3_file *file, int region, int size, int extend, void volatile **pointer) {
    return REAL(file)->pMethods->xShmMap(REAL(file), region, size, extend, pointer);
}

static int watchedShmLock(sqlite3_file *file, int offset, int count, int flags) {
    return REAL(file)->pMethods->xShmLock(REAL(file), offset, count, flags);
}

static void watchedShmBarrier(sqlite3_file *file) {
    REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int watchedShmUnmap(sqlite3_file *file, int deleteFlag) {
    return REAL(file)->pMethods->xShmUnmap(REAL(file), deleteFlag);
}

/// Version 2: the shared-memory methods, and no memory-mapped I/O (whose writes would not pass here).
static const sqlite3_io_methods watchedMethods = {
    2,
    watchedClose,
    watchedRead,
    watchedWrite,
    watchedTruncate,
    watchedSync,
    watchedFileSize,
    watchedLock,
    watchedUnlock,
    watchedCheckReservedLock,
    watchedFileControl,
    watchedSectorSize,
    watchedDeviceCharacteristics,
    watchedShmMap,
    watchedShmLock,
    watchedShmBarrier,
    watchedShmUnmap,
    NULL,
    NULL,
};

static int powerLossOpen(sqlite3_vfs *self, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
    (void)self;
    Watched *directory = NULL;
    if (name) {
        pthread_mutex_lock(&lock);
        directory = watchedDirectory(name);
        pthread_mutex_unlock(&lock);
    }
    // Not watched: the platform's file itself, in the space SQLite gave.
    if (!directory) return platform->xOpen(platform, name, file, flags, outFlags);

    WatchedFile *watchedFile = (WatchedFile *)file;
    watchedFile->real = (sqlite3_file *)&watchedFile[1];
    int rc = platform->xOpen(platform, name, watchedFile->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        watchedFile->base.pMethods = NULL;
        return rc;
    }
    pthread_mutex_lock(&lock);
    Image *image = imageOf(name);
    if (!image) {
        image = calloc(1, sizeof(Image));
        const char *relative = name + strlen(directory->directory) + 1;
        size_t length = strlen(directory->images) + strlen(relative) + 2;
        if (image) {
            image->path = strdup(name);
            image->durable = malloc(length);
        }
        if (!image || !image->path || !image->durable) {
            pthread_mutex_unlock(&lock);
            watchedFile->real->pMethods->xClose(watchedFile->real);
            watchedFile->base.pMethods = NULL;
            return SQLITE_NOMEM;
        }
        snprintf(image->durable, length, "%s/%s", directory->images, relative);
        image->next = images;
        images = image;
    }
    watchedFile->image = image;
    pthread_mutex_unlock(&lock);
    watchedFile->base.pMethods = &watchedMethods;
    return SQLITE_OK;
}

/// A deleted file is gone for good (its durable image with it).
static int powerLossDelete(sqlite3_vfs *self, const char *name, int syncDirectory) {
    (void)self;
    int rc = platform->xDelete(platform, name, syncDirectory);
    pthread_mutex_lock(&lock);
    Image *image = imageOf(name);
    if (image) {
        forget(image, ULLONG_MAX);
        unlink(image->durable);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int power_loss_install(void) {
    int rc = sqlite3_initialize();
    if (rc != SQLITE_OK) return rc;
    pthread_mutex_lock(&lock);
    if (!platform) {
        platform = sqlite3_vfs_find(NULL);
        vfs = *platform;
        vfs.pNext = NULL;
        vfs.szOsFile = (int)sizeof(WatchedFile) + platform->szOsFile;
        vfs.zName = "bursar-power-loss";
        vfs.xOpen = powerLossOpen;
        vfs.xDelete = powerLossDelete;
        rc = sqlite3_vfs_register(&vfs, 1);
        if (rc != SQLITE_OK) platform = NULL;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int power_loss_watch(const char *directory) {
    char resolved[PATH_MAX];
    if (!realpath(directory, resolved)) return -1;
    Watched *entry = calloc(1, sizeof(Watched));
    if (!entry) return -1;
    size_t length = strlen(resolved) + sizeof(".durable");
    entry->directory = strdup(resolved);
    entry->images = malloc(length);
    if (!entry->directory || !entry->images) {
        free(entry->directory);
        free(entry->images);
        free(entry);
        return -1;
    }
    snprintf(entry->images, length, "%s.durable", resolved);
    if (mkdir(entry->images, 0700) != 0 && errno != EEXIST) {
        free(entry->directory);
        free(entry->images);
        free(entry);
        return -1;
    }
    pthread_mutex_lock(&lock);
    entry->next = watched;
    watched = entry;
    pthread_mutex_unlock(&lock);
    return 0;
}

static int copyFile(const char *from, const char *to) {
    int source = open(from, O_RDONLY | O_CLOEXEC);
    if (source < 0) return -1;
    int target = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (target < 0) {
        close(source);
        return -1;
    }
    char buffer[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(source, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0 || write(target, buffer, (size_t)n) != n) {
            rc = -1;
            break;
        }
    }
    close(source);
    close(target);
    return rc;
}

int power_loss_cut(const char *directory, const char *destination) {
    char resolved[PATH_MAX];
    if (!realpath(directory, resolved)) return -1;
    if (mkdir(destination, 0700) != 0 && errno != EEXIST) return -1;
    int count = 0;
    pthread_mutex_lock(&lock);
    for (Image *i = images; i && count >= 0; i = i->next) {
        struct stat status;
        if (!isUnder(i->path, resolved) || stat(i->durable, &status) != 0) continue;  // never synced: nothing survives
        char target[PATH_MAX];
        snprintf(target, sizeof target, "%s/%s", destination, i->path + strlen(resolved) + 1);
        count = copyFile(i->durable, target) == 0 ? count + 1 : -1;
    }
    pthread_mutex_unlock(&lock);
    return count;
}
