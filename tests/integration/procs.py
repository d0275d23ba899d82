"""Run nimbus services as separate OS processes for integration tests.

:class:`Deployment` writes one config file per service (computes get no
``[database]`` section at all), starts the console scripts, waits for
them, and stops every process it started, by PID, even when a test fails.
"""

import os
import signal
import subprocess
import sys
import time

from nimbus.core.bootstrap import STACK_DUMP_SIGNAL
from tests.conftest import free_port, noauth_sdk, write_conf

BIN = os.path.dirname(sys.executable)
#: Lines of a hung service's log printed when it is killed.
STACK_DUMP_LINES = 300


class Deployment:
    """Services of one test deployment, each its own process."""

    def __init__(self, workdir, transport_url, db_url, extra=None,
                 bin_dir=BIN):
        """:param bin_dir: where the services' commands are (another
        installation's, for a benchmark that compares two)."""
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.transport_url = transport_url
        self.db_url = db_url
        self.port = free_port()
        self.metadata_port = free_port()
        self.extra = extra or {}
        self.procs = {}
        self.state_path = workdir / "state"

    def _conf(self, name, with_db=True, host=None, extra=None):
        sections = {
            "DEFAULT": {"transport_url": self.transport_url,
                        "state_path": self.state_path,
                        "host": host or name, "report_interval": 1,
                        "service_down_time": 6,
                        "periodic_interval": 5},
            "api": {"bind_port": self.port, "auth_strategy": "noauth2"},
            "compute": {"resource_report_interval": 5,
                        "sync_power_state_interval": 5},
            "oslo_messaging_rabbit": {"heartbeat_timeout_threshold": 0},
            "quota": {"instances": -1, "cores": -1, "ram": -1},
            "network": {"metadata_port": self.metadata_port},
        }
        if with_db:
            sections["database"] = {"connection": self.db_url}
        for more in (self.extra, extra or {}):
            for section, values in more.items():
                sections.setdefault(section, {}).update(values)
        return write_conf(self.workdir / f"{name}.conf", sections)

    def manage(self, *args):
        conf = self._conf("manage")
        return subprocess.run(
            [f"{self.bin_dir}/nimbus-manage", "--config-file", str(conf),
             *args],
            check=True, capture_output=True, text=True, timeout=120)

    def start(self, name, binary, host=None, with_db=True, extra=None):
        """Start ``binary`` as ``name``; ``extra`` adds config sections
        for this process only (e.g. its own ``[metrics] port``)."""
        conf = self._conf(name, with_db=with_db, host=host, extra=extra)
        log = open(self.workdir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [f"{self.bin_dir}/{binary}", "--config-file", str(conf)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_compute(self, host, extra=None):
        return self.start(host, "nimbus-compute", host=host, with_db=False,
                          extra=extra)

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(timeout=30)

    def stop_all(self, grace=10):
        """SIGTERM every process at once, SIGKILL what is left after
        ``grace`` seconds; returns {name: seconds it took to exit}."""
        procs, self.procs = self.procs, {}
        start = time.monotonic()
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        took = {}
        for name, proc in procs.items():
            left = max(0.1, grace - (time.monotonic() - start))
            try:
                proc.wait(timeout=left)
            except subprocess.TimeoutExpired:
                self._report_hung(name, proc, grace)
                proc.kill()
                proc.wait(timeout=15)
            took[name] = round(time.monotonic() - start, 1)
        return took

    def _report_hung(self, name, proc, grace):
        """Print the stacks of a service that ignored SIGTERM, from its
        own stack dump, on stderr (a test's captured output; never the
        stdout of a benchmark's ``--json``)."""
        proc.send_signal(STACK_DUMP_SIGNAL)
        time.sleep(1)
        lines = self.log(name).splitlines()[-STACK_DUMP_LINES:]
        print(f"{name} (pid {proc.pid}) did not stop within {grace}s of "
              f"SIGTERM; the end of its log, with its stacks:",
              *lines, sep="\n", file=sys.stderr)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_api(self, timeout=60):
        import requests
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited:\n{self.log(name)}")
            time.sleep(0.2)
        raise AssertionError("API did not come up:\n" + self.log("api"))

    def sdk(self, token="admin:admin"):
        return noauth_sdk(self.url, token)


def terminate(proc, grace):
    """SIGTERM ``proc`` (a process this test started), SIGKILL it if it
    is still there after ``grace`` seconds, and reap it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def wait_until(predicate, timeout, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
