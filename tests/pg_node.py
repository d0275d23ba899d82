"""A private PostgreSQL server, for tests that stop the database.

The shared server on 5432 serves every other test at the same time, so a
test that stops its database gets its own cluster: ``initdb`` into a
temporary directory, listening on a free port of 127.0.0.1 (and a socket
in that directory), trust authentication. As root the cluster belongs to
the ``postgres`` user (PostgreSQL refuses to run as root).
:meth:`PrivatePostgres.stop` and :meth:`PrivatePostgres.start` stop and
restart that server with ``pg_ctl`` (its data survives);
:func:`private_postgres` stops it and deletes the directory at the end,
even when the test fails.
"""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile

from tests.conftest import free_port


def _bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise AssertionError("no PostgreSQL server binaries under "
                             "/usr/lib/postgresql/*/bin")
    return os.path.dirname(found[-1])


class PrivatePostgres:
    def __init__(self, base):
        self.base = base
        self.data = os.path.join(base, "data")
        self.port = free_port()
        self.bindir = _bindir()
        self.owner = "postgres" if os.geteuid() == 0 else None
        if self.owner:
            user = pwd.getpwnam(self.owner)
            os.chown(base, user.pw_uid, user.pw_gid)

    @property
    def url(self):
        return (f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}"
                "/nimbus")

    def _run(self, binary, *args, timeout=120):
        cmd = [os.path.join(self.bindir, binary), *args]
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout, cwd=self.base)
        if done.returncode:
            raise AssertionError(f"{binary} failed ({done.returncode}):\n"
                                 f"{done.stdout}\n{done.stderr}\n"
                                 + self.log())
        return done.stdout

    def init(self):
        self._run("initdb", "-D", self.data, "-A", "trust", "-U",
                  "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "nimbus")

    def start(self):
        """Start the server; return once it accepts connections."""
        self._run("pg_ctl", "-D", self.data, "-l",
                  os.path.join(self.base, "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -h 127.0.0.1 -k {self.base} "
                  "-c fsync=off -c max_connections=200", "start")

    def stop(self, mode="fast"):
        """Stop the server (``fast`` disconnects every client at once)."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60",
                  "stop")

    def running(self):
        return os.path.exists(os.path.join(self.data, "postmaster.pid"))

    def log(self):
        path = os.path.join(self.base, "server.log")
        if not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return f.read()[-4000:]


@contextlib.contextmanager
def private_postgres():
    """Yield a started :class:`PrivatePostgres` with an empty ``nimbus``
    database; stop it and delete its directory after."""
    base = tempfile.mkdtemp(prefix="nimbus-pg-")
    node = PrivatePostgres(base)
    try:
        node.init()
        yield node
    finally:
        if node.running():
            with contextlib.suppress(Exception):
                node.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
