"""Shared fixtures.

* ``nimbus_conf``: the global CONF parsed from a fresh config file in a
  temporary state path, with the ``local://`` transport; reset afterwards.
* ``db``: ``nimbus_conf`` plus a migrated SQLite database in that path.
* ``db_api``: the database API handle of that database (what daemons
  pass into service APIs and managers).
* ``stack``: every service in this process (like nimbus-all) on a free
  port; yields an object with ``url``, ``conf``, ``services``.
* ``real_db_url`` (parametrised over PostgreSQL and MariaDB by tests that
  use ``tests.real``): a fresh database, dropped afterwards.

Tests needing real components (RabbitMQ, PostgreSQL, MariaDB, libvirt)
fail, never skip, when the component is missing.
"""

import os
import random
import socket
import uuid

import pytest

os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
# every nimbus this test run starts, in this process or as a child, hashes
# passwords at bcrypt's lowest cost (oslo.config reads OS_<GROUP>__<OPT>):
# each token a stock client asks for would otherwise cost a quarter of a
# second of CPU. Tests of the hashing itself set their own cost.
os.environ.setdefault("OS_IDENTITY__BCRYPT_ROUNDS", "4")


#: where test servers listen: below the kernel's ephemeral range
#: (32768-60999), whose ports outgoing connections take at any moment,
#: and picked at random.
_PORTS = range(20000, 32000)
#: not the seeded module-level generator: plugins reseed that alike in
#: every worker.
_RANDOM = random.SystemRandom()
#: a port handed out is held until this process ends, so that no other
#: test process (xdist workers, suites side by side) draws it between
#: choosing and binding: a byte-range lock on byte ``port`` of one file
#: shared by every test process (the kernel drops it when the holder
#: dies, however it dies).
_PORT_LOCKS = "/tmp/nimbus-test-ports.lock"
_handed_out = set()
_lock_fd = None


def _hold(start, size):
    """Whether this process now holds ports ``start`` to
    ``start + size - 1`` against every other test process."""
    import fcntl
    global _lock_fd
    if _lock_fd is None:
        _lock_fd = os.open(_PORT_LOCKS, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.lockf(_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB, size, start)
    except OSError:
        return False
    return True


def _bindable(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _take(span, size):
    """The first of ``size`` consecutive ports in ``span`` that nothing
    listens on and no test process (this one included) was given."""
    while True:
        start = _RANDOM.randrange(span.start, span.stop - size + 1, size)
        ports = range(start, start + size)
        if _handed_out.intersection(ports) or not _hold(start, size):
            continue
        if all(_bindable(port) for port in ports):
            _handed_out.update(ports)
            return start


#: where blocks of ports are handed out (:func:`free_port_block`): apart
#: from single ports, below them and above the 5900s a system libvirtd
#: gives its guests' VNC servers.
_BLOCKS = range(12000, 20000)


def free_port_block(size):
    """The first of ``size`` consecutive loopback TCP ports nothing
    listens on now, held for this process like :func:`free_port`'s (for
    a daemon's own port range, such as a private libvirtd's VNC ports)."""
    return _take(_BLOCKS, size)


def free_port():
    """A loopback TCP port nothing listens on now and no other caller
    (in this process or another test process) was given."""
    return _take(_PORTS, 1)


def write_conf(path, sections):
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {v}" for k, v in values.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


@pytest.fixture
def nimbus_conf(tmp_path):
    from nimbus.core import bootstrap, rpc
    from nimbus.core.db import engine
    from nimbus.core.objects import base as objects_base
    conf_file = write_conf(tmp_path / "nimbus.conf", {
        "DEFAULT": {"state_path": tmp_path / "state", "host": "test-host",
                    "report_interval": 1, "service_down_time": 5},
        # every answer of a covered route is checked against its schema
        "api": {"bind_port": free_port(), "auth_strategy": "noauth2",
                "response_validation": "error"},
        "all": {"compute_hosts": "fake-1,fake-2"},
        "fake": {"persist": "false"},
        # the metadata service beside the API: never the shared default
        "network": {"metadata_port": free_port()},
        # the EC2 API, when a test enables it: never the shared default
        "ec2": {"bind_port": free_port()},
        # the console proxy nimbus-all starts: any free port
        "vnc": {"novncproxy_port": 0},
    })
    conf = bootstrap.parse_config(["--config-file", str(conf_file)],
                                  "nimbus-test", default_config_files=[],
                                  transport_url="local://")
    yield conf
    rpc.cleanup()
    engine.reset()
    objects_base.NimbusObject.indirection_api = None
    objects_base.NimbusObject.db_api = None
    objects_base.NimbusObject.process_name = "nimbus-test"
    conf.reset()
    conf.clear_override("transport_url")


#: this test process's migrated SQLite database: an empty schema at the
#: head revision, copied from the first test's (see :func:`migrated`).
_schema_template = None


def migrated(conf):
    """Give ``conf``'s SQLite database (``$state_path/nimbus.sqlite``,
    not there yet) the migrated schema before anything migrates it, so
    that the migrations that follow (``start_all``'s, the ``db``
    fixture's) find it at the head revision: one test process runs them
    from scratch once, not once per test (0.25 s of CPU each). The copy
    is the database those migrations made, data migrations included.
    Nothing is done for a configured ``[database] connection``."""
    import atexit
    import shutil
    import sqlite3
    import tempfile

    from nimbus.core.db import migration
    from nimbus.core.db import setup as db_setup
    global _schema_template
    if conf.database.connection:
        return
    path = os.path.join(conf.state_path, "nimbus.sqlite")
    if os.path.exists(path):
        return
    if _schema_template is not None:
        os.makedirs(conf.state_path, exist_ok=True)
        shutil.copyfile(_schema_template, path)
        return
    db_setup.use_database(conf)
    migration.sync()
    fd, template = tempfile.mkstemp(prefix="nimbus-schema-",
                                    suffix=".sqlite")
    os.close(fd)
    atexit.register(os.unlink, template)
    source, copy = sqlite3.connect(path), sqlite3.connect(template)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    _schema_template = template


@pytest.fixture
def db_api(nimbus_conf):
    from nimbus.core.db import migration
    from nimbus.core.db import setup as db_setup
    migrated(nimbus_conf)
    handle = db_setup.use_database(nimbus_conf)
    migration.sync()
    return handle


@pytest.fixture
def db(db_api, nimbus_conf):
    return nimbus_conf


def noauth_sdk(url, token):
    """An openstacksdk connection to nimbus's API at ``url`` with a
    noauth2 ``user:project`` token."""
    import openstack
    return openstack.connection.Connection(
        auth_type="admin_token",
        auth={"endpoint": url + "/v2.1", "token": token},
        compute_endpoint_override=url + "/v2.1",
        block_storage_endpoint_override=url + "/volume/v3",
        region_name="RegionOne")


class Stack:
    def __init__(self, conf, started):
        self.conf = conf
        self.started = started
        self.url = f"http://127.0.0.1:{started[0].port}"

    def sdk(self, token="demo:demo"):
        return noauth_sdk(self.url, token)

    def compute(self, host):
        for svc in self.started:
            if getattr(svc, "binary", None) == "nimbus-compute" and \
                    svc.host == host:
                return svc
        raise KeyError(host)

    def stop(self):
        from nimbus.core import service
        service.stop_all(self.started)


@pytest.fixture
def stack(nimbus_conf):
    from nimbus.cli.daemons import all as all_daemon
    migrated(nimbus_conf)
    started = all_daemon.start_all(nimbus_conf)
    running = Stack(nimbus_conf, started)
    yield running
    running.stop()


def unique(prefix):
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
