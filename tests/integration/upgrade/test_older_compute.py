"""A compute of the previous release under the current controller.

api, conductor and scheduler run this tree's code as separate processes
over real RabbitMQ and PostgreSQL, pinned with ``[upgrade_levels] compute
= 1.0``; the one compute runs the code of :data:`PREVIOUS_RELEASE`,
extracted with ``git archive`` and put first on its ``sys.path``. A server
goes through its life on it, and nothing logs an error.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy

from tests import real
from tests.integration.kernel.test_multiprocess import _seed_image
from tests.integration.procs import Deployment, wait_until

#: The release before this one: ComputeNode 1.1, the request spec a dict.
PREVIOUS_RELEASE = "e314ae180b565f9f19bb8706922fa793f2665b29"
PARTS = ("core", "plugins", "api", "cli")
REPO = Path(__file__).resolve().parents[3]
RUNNER = Path(__file__).with_name("run_compute.py")
DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
HOST = "old-cmp"
pytestmark = pytest.mark.real


def _extract_previous_release(root):
    """Lay out :data:`PREVIOUS_RELEASE` as a ``nimbus`` package.

    :returns: the directory to put on the old compute's ``PYTHONPATH``.
    """
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE, *PARTS],
            capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as err:
        stderr = getattr(err, "stderr", b"") or b""
        pytest.fail(f"cannot extract the previous release "
                    f"{PREVIOUS_RELEASE} (this test needs git and the "
                    f"repository's history): {err} "
                    f"{stderr.decode(errors='replace')}")
    old = root / "old"
    old.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout,
                   check=True, timeout=60)
    pkg = root / "pkg" / "nimbus"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""nimbus, previous release."""\n')
    for part in PARTS:
        (pkg / part).symlink_to(Path("..", "..", "old", part))
    return root / "pkg"


class UpgradeDeployment(Deployment):
    """A deployment whose compute runs another release's code."""

    def start_old_compute(self, host, pythonpath):
        conf = self._conf(host, with_db=False, host=host)
        env = dict(os.environ, PYTHONPATH=str(pythonpath))
        with open(self.workdir / f"{host}.log", "ab") as log:
            self.procs[host] = subprocess.Popen(
                [sys.executable, str(RUNNER), str(self.report_path),
                 "--config-file", str(conf)],
                env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    @property
    def report_path(self):
        return self.workdir / "old-compute.json"

    def print_logs(self):
        """Print every log (pytest shows them when the test failed)."""
        for path in sorted(self.workdir.glob("*.log")):
            print(f"==== {path.name}\n{path.read_text(errors='replace')}")


@pytest.fixture
def deployment():
    with tempfile.TemporaryDirectory(prefix="nimbus-upgrade-") as tmp:
        tmp = Path(tmp)
        pythonpath = _extract_previous_release(tmp / "release")
        with real.rabbit_vhost() as (transport_url, _vhost), \
                real.postgresql_database() as db_url:
            dep = UpgradeDeployment(
                tmp, transport_url, db_url,
                extra={"upgrade_levels": {"compute": "1.0"}})
            try:
                dep.manage("db", "sync")
                dep.manage("db", "seed")
                _seed_image(dep)
                dep.start("conductor", "nimbus-conductor")
                dep.start("scheduler", "nimbus-scheduler")
                dep.start_old_compute(HOST, pythonpath)
                dep.start("api", "nimbus-api")
                dep.wait_api()
                yield dep
            finally:
                dep.stop_all()
                dep.print_logs()


def _assert_ran_previous_release(dep, release_dir):
    report = json.loads(wait_until(
        lambda: dep.report_path.exists() and dep.report_path.read_text(),
        30, message="the old compute's import report"))
    for name in ("nimbus", "daemon", "fake_driver"):
        assert report[name].startswith(str(release_dir)), report
    assert report["compute_node_version"] == "1.1", report


def _hypervisor_up(conn):
    nodes = list(conn.compute.hypervisors())
    return nodes if [(n.name, n.state) for n in nodes] == [(HOST, "up")] \
        else None


def _wait_status(conn, server_id, status):
    def reached():
        server = conn.compute.get_server(server_id)
        assert server.status != "ERROR", server.fault
        return server.status == status
    wait_until(reached, 30, message=f"server {status}")


def _gone(conn, server_id):
    return server_id not in {s.id for s in conn.compute.servers()}


def _capabilities(dep):
    engine = sqlalchemy.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sqlalchemy.text(
                "SELECT capabilities FROM compute_nodes WHERE host = :h"),
                {"h": HOST}).all()
    finally:
        engine.dispose()
    assert len(rows) == 1, rows
    return rows[0][0]


def _assert_clean_logs(dep):
    for name in ("api", "conductor", "scheduler", HOST):
        log = dep.log(name)
        assert log, f"{name} logged nothing"
        for marker in (" ERROR ", "Traceback"):
            assert marker not in log, f"{marker.strip()} in {name}:\n{log}"


def test_previous_release_compute_runs_a_server(deployment):
    dep = deployment
    _assert_ran_previous_release(dep, dep.workdir / "release")
    conn = dep.sdk()
    wait_until(lambda: _hypervisor_up(conn), 30,
               message=f"{HOST} reported and up")
    # An old compute reports no capabilities: the column stays NULL.
    assert _capabilities(dep) is None

    server = conn.compute.create_server(name="on-old", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="none")
    _wait_status(conn, server.id, "ACTIVE")
    assert conn.compute.get_server(server.id).compute_host == HOST
    conn.compute.stop_server(server.id)
    _wait_status(conn, server.id, "SHUTOFF")
    conn.compute.start_server(server.id)
    _wait_status(conn, server.id, "ACTIVE")
    # Hosts without reported capabilities are treated as capable.
    conn.compute.pause_server(server.id)
    _wait_status(conn, server.id, "PAUSED")
    conn.compute.delete_server(server.id)
    wait_until(lambda: _gone(conn, server.id), 30, message="server gone")

    _assert_clean_logs(dep)
