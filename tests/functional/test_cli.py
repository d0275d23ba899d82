"""The README's first command: nimbus-all, then the nimbus CLI."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import free_port
from tests.integration.procs import wait_until

BIN = os.path.dirname(sys.executable)


@pytest.fixture
def embedded(tmp_path):
    port = free_port()
    conf = tmp_path / "nimbus.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n"
                    f"[api]\nbind_port = {port}\n[fake]\npersist = false\n"
                    f"[network]\nmetadata_port = {free_port()}\n"
                    f"[ec2]\nbind_port = {free_port()}\n"
                    # every CLI call logs in: a cheap hash keeps that fast
                    "[identity]\nbcrypt_rounds = 4\n")
    log = open(tmp_path / "all.log", "wb")
    proc = subprocess.Popen([f"{BIN}/nimbus-all", "--config-file", str(conf)],
                            stdout=log, stderr=subprocess.STDOUT)
    clouds = tmp_path / "state" / "clouds.yaml"
    try:
        wait_until(lambda: clouds.exists() or proc.poll() is not None, 60,
                   message="nimbus-all to write clouds.yaml")
        assert proc.poll() is None, (tmp_path / "all.log").read_text()
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds),
                   OS_CLOUD="nimbus")
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def nimbus(env, *args):
    return subprocess.run([f"{BIN}/nimbus", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_create_wait_list_delete(embedded):
    created = nimbus(embedded, "server", "create", "--flavor", "m1.tiny",
                     "--image", "demo", "demo", "--wait", "-f", "json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["status"] == "ACTIVE"
    # The --wait progress bar: status/task state, then ACTIVE, full.
    bars = created.stderr.splitlines()
    assert bars[0].startswith("[") and "BUILD/" in bars[0], bars
    assert bars[-1].startswith("[" + "#" * 24 + "]") and "ACTIVE" in \
        bars[-1], bars

    listed = nimbus(embedded, "server", "list", "-f", "json")
    rows = json.loads(listed.stdout)
    assert [(r["Name"], r["Status"]) for r in rows] == [("demo", "ACTIVE")]

    diags = nimbus(embedded, "server", "show", "--diagnostics", "demo",
                   "-f", "json")
    assert diags.returncode == 0, diags.stderr
    shown = json.loads(diags.stdout)
    assert (shown["state"], shown["driver"], shown["num_cpus"]) == \
        ("running", "fake", len(shown["cpu_details"]))

    log = nimbus(embedded, "console", "log", "demo")
    assert log.returncode == 0 and "demo login:" in log.stdout

    hosts = json.loads(nimbus(embedded, "hypervisor", "list", "-f",
                              "json").stdout)
    assert len(hosts) == 3

    deleted = nimbus(embedded, "server", "delete", "demo", "--wait")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(nimbus(embedded, "server", "list", "-f",
                             "json").stdout) == []


def test_errors_are_one_line_and_non_zero(embedded):
    missing = nimbus(embedded, "server", "show", "no-such-server")
    assert missing.returncode != 0
    assert "No server with a name or ID of 'no-such-server'" in \
        missing.stderr
    assert "Traceback" not in missing.stderr
    bad = nimbus(embedded, "server", "create", "--flavor", "nope",
                 "--image", "demo", "x")
    assert bad.returncode != 0 and "No flavor with a name or ID of 'nope' exists." in bad.stderr
