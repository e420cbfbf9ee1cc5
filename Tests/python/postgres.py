"""A throwaway PostgreSQL cluster for the Python tests run against a PostgreSQL-backed server:
`initdb` in a temporary directory, the server on a Unix socket there only (no port to collide
on), run as the `postgres` user when the tests run as root (PostgreSQL refuses root), stopped
and deleted when the tests end."""

import atexit
import glob
import os
import shutil
import subprocess
import tempfile


def _binaries():
    found = sorted((path for path in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(path, "pg_ctl"))),
                   key=lambda path: int(path.split("/")[-2]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (make test installs Debian's postgresql)")
    return found[-1]


class PostgresCluster:
    _shared = None

    @classmethod
    def shared(cls):
        """One cluster per test process, started on first use."""
        if cls._shared is None:
            cls._shared = PostgresCluster()
        return cls._shared

    def __init__(self):
        self.bin = _binaries()
        self.directory = tempfile.mkdtemp(prefix="bursar-postgres-")
        os.chmod(self.directory, 0o777)
        self.databases = 0
        # Stopped at exit even when starting it fails half-way (the server may be up).
        atexit.register(self.stop)
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C")
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.directory, "server.log"), "-w", "start", "-o",
                  f"-c listen_addresses='' -k '{self.directory}' -c unix_socket_permissions=0700 -c max_connections=200")

    @property
    def data(self):
        return os.path.join(self.directory, "data")

    def create_database(self):
        """A new empty database; its URL."""
        self.databases += 1
        name = f"bursar_{self.databases}"
        self._run("createdb", "-h", self.directory, "-U", "postgres", name)
        return f"postgresql:///{name}?host={self.directory}&user=postgres"

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program, *arguments, check=True):
        command = [os.path.join(self.bin, program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} exited with {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
