import BursarStorage

extension PostgresError: StorageUnavailability {}
