"""docs/multi-host.md followed literally: PostgreSQL + RabbitMQ on a
controller, two compute processes with their own config files,
``nimbus-manage config check`` and ``bootstrap``, then ``openstack
server create --wait`` ends ACTIVE.

Every ``sh guide`` block runs as written, in order, under bash with the
guide's settings replaced by private values (database, role, vhost,
user, port, directory); ``sh guide-start`` lines are started as
processes; ``sh guide-install`` names extras, which must exist.
"""

import importlib.metadata
import os
import re
import secrets
import subprocess
import sys

import pytest
import sqlalchemy

from tests import real
from tests.conftest import free_port
from tests.integration.procs import terminate

GUIDE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs",
                     "multi-host.md")
BLOCK = re.compile(r"```sh (guide[a-z-]*)\n(.*?)```", re.DOTALL)
pytestmark = pytest.mark.real


def blocks():
    with open(GUIDE) as f:
        return BLOCK.findall(f.read())


def settings(tmp_path):
    suffix = secrets.token_hex(4)
    return {"CONTROLLER": "127.0.0.1",
            "DB_NAME": f"nimbus_guide_{suffix}",
            "DB_USER": f"nimbus_guide_{suffix}",
            "DB_PASSWORD": secrets.token_hex(8),
            "MQ_VHOST": f"nimbus_guide_{suffix}",
            "MQ_USER": f"nimbus_guide_{suffix}",
            "MQ_PASSWORD": secrets.token_hex(8),
            "API_PORT": str(free_port()),
            "ADMIN_PASSWORD": secrets.token_hex(8),
            "NIMBUS_DIR": str(tmp_path / "nimbus")}


def test_the_guide_defines_what_the_test_replaces(tmp_path):
    kinds = [kind for kind, _ in blocks()]
    assert kinds.count("guide-settings") == 1
    assert kinds.count("guide-start") == 2 and kinds.count("guide") >= 4
    text = dict(blocks())["guide-settings"]
    names = set(re.findall(r"\b([A-Z_]+)=", text))
    assert names == set(settings(tmp_path))


def test_the_extras_the_guide_installs_exist():
    text = dict(blocks())["guide-install"]
    extras = re.findall(r"nimbus\[([a-z]+)\]", text)
    provided = importlib.metadata.metadata("nimbus").get_all(
        "Provides-Extra")
    assert extras and set(extras) <= set(provided), (extras, provided)


def _cleanup(values, procs):
    for proc in procs:
        terminate(proc, 15)
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", values["MQ_VHOST"]],
                   capture_output=True, timeout=60)
    subprocess.run(["rabbitmqctl", "-q", "delete_user", values["MQ_USER"]],
                   capture_output=True, timeout=60)
    admin = sqlalchemy.create_engine(real.PG_ADMIN,
                                     isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(
            f'DROP DATABASE IF EXISTS "{values["DB_NAME"]}" WITH (FORCE)'))
        conn.execute(sqlalchemy.text(
            f'DROP ROLE IF EXISTS "{values["DB_USER"]}"'))
    admin.dispose()


def _logs(tmp_path):
    """The tail of every started process's log."""
    return "".join(
        f"\n--- {name}\n" + open(name, errors="replace").read()[-3000:]
        for name in sorted(str(p) for p in tmp_path.glob("*.log")))


def test_guide_ends_with_an_active_server(tmp_path):
    values = settings(tmp_path)
    env = dict(os.environ, **values)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    procs = []
    outputs = []
    try:
        for kind, text in blocks():
            if kind == "guide":
                try:
                    out = subprocess.run(
                        ["bash", "-euo", "pipefail", "-c", text], env=env,
                        cwd=tmp_path, capture_output=True, text=True,
                        timeout=300)
                except subprocess.TimeoutExpired as err:
                    raise AssertionError((text, err.stdout, err.stderr,
                                          _logs(tmp_path))) from None
                assert out.returncode == 0, (text, out.stdout, out.stderr,
                                             _logs(tmp_path))
                outputs.append(out.stdout)
            elif kind == "guide-start":
                for line in text.strip().splitlines():
                    name = line.split("--config-file")[-1].split()[0]
                    log = open(tmp_path / f"{line.split()[0]}-{name}.log",
                               "wb")
                    procs.append(subprocess.Popen(
                        ["bash", "-c", "exec " + line], env=env,
                        cwd=values["NIMBUS_DIR"], stdout=log,
                        stderr=subprocess.STDOUT, start_new_session=True))
        last = outputs[-1].splitlines()
        assert "ACTIVE" in last, outputs[-1]
        # The queue monitor ran last: the service topics are listed.
        assert any(line.startswith("| conductor ") for line in last), last
        clouds = os.path.join(values["NIMBUS_DIR"], "clouds.yaml")
        assert os.stat(clouds).st_mode & 0o777 == 0o600
    finally:
        _cleanup(values, procs)
    assert all(p.poll() is not None for p in procs)
