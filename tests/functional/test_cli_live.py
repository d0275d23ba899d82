"""``nimbus server migrate --live-migration`` with ``--wait`` and
``nimbus server migration abort`` / ``force complete`` against nimbus-all
(fake hosts, each live migration slowed to LIVE_SECONDS so it can be
aborted or forced while it runs)."""

import json
import os
import subprocess

import pytest

from tests.conftest import free_port
from tests.functional.test_cli import BIN, nimbus
from tests.integration.procs import wait_until

#: how long one fake live migration copies (ten steps): long enough that
#: only an abort or a force-complete ends it within the test's waits.
LIVE_SECONDS = 600


@pytest.fixture
def slow_live(tmp_path):
    conf = tmp_path / "nimbus.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n"
                    f"[api]\nbind_port = {free_port()}\n"
                    f"[fake]\npersist = false\n"
                    f"latency = live_migration:{LIVE_SECONDS}\n"
                    f"[network]\nmetadata_port = {free_port()}\n"
                    f"[ec2]\nbind_port = {free_port()}\n")
    log = open(tmp_path / "all.log", "wb")
    proc = subprocess.Popen([f"{BIN}/nimbus-all", "--config-file", str(conf)],
                            stdout=log, stderr=subprocess.STDOUT)
    clouds = tmp_path / "state" / "clouds.yaml"
    waiters = []
    try:
        wait_until(lambda: clouds.exists() or proc.poll() is not None, 60,
                   message="nimbus-all to write clouds.yaml")
        assert proc.poll() is None, (tmp_path / "all.log").read_text()
        yield dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds),
                   OS_CLOUD="nimbus"), waiters
    finally:
        for waiter in waiters:
            if waiter.poll() is None:
                waiter.kill()
            waiter.wait(timeout=30)
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _ok(env, *args):
    out = nimbus(env, *args)
    assert out.returncode == 0, (args, out.stderr)
    return out


def _one_line_failure(out, *words):
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr, out.stderr
    assert all(w in lines[-1] for w in words), lines
    return lines[-1]


def _shown(env):
    shown = json.loads(_ok(env, "server", "show", "mover", "-f",
                           "json").stdout)
    return shown["status"], shown["OS-EXT-SRV-ATTR:host"]


def _start(env, waiters, *args):
    """``server migrate --live-migration --wait`` in the background."""
    proc = subprocess.Popen(
        [f"{BIN}/nimbus", "server", "migrate", "--live-migration", *args,
         "--wait", "mover"], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    waiters.append(proc)
    return proc


def _running(env):
    """The ID of mover's running migration, once it runs."""
    def found():
        rows = json.loads(_ok(env, "server", "migration", "list",
                              "--server", "mover", "--status", "running",
                              "-f", "json").stdout)
        return rows and str(rows[0]["ID"])
    return wait_until(found, 120, interval=0.5,
                      message="the live migration to run")


def _ended(proc):
    out, err = proc.communicate(timeout=180)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_live_migrate_abort_force_complete(slow_live):
    env, waiters = slow_live
    _ok(env, "server", "create", "--flavor", "m1.tiny", "--image", "demo",
        "mover", "--wait")
    status, source = _shown(env)
    hosts = sorted(h["Hypervisor Hostname"] for h in json.loads(_ok(
        env, "hypervisor", "list", "-f", "json").stdout))
    target = next(h for h in hosts if h != source)

    # Bad input: one line, exit 1, nothing started.
    _one_line_failure(nimbus(env, "server", "migrate", "--live-migration",
                             "--host", "no-such-host", "mover"),
                      "no-such-host")
    _one_line_failure(nimbus(env, "server", "migrate", "--live-migration",
                             "--host", source, "mover"), source)
    _one_line_failure(nimbus(env, "server", "migrate", "--block-migration",
                             "mover"), "--live-migration")
    _ok(env, "server", "stop", "--wait", "mover")
    _one_line_failure(nimbus(env, "server", "migrate", "--live-migration",
                             "mover"), "stop")
    _ok(env, "server", "start", "--wait", "mover")
    assert _shown(env) == ("ACTIVE", source)

    # The fake hosts share no storage: a shared-storage move fails its
    # pre-check, and --wait says so in one line.
    failed = nimbus(env, "server", "migrate", "--live-migration",
                    "--shared-migration", "--wait", "mover")
    _one_line_failure(failed, "failed", "is error", source)
    assert _shown(env) == ("ACTIVE", source)

    # Abort while it runs: the waiter ends with one line, exit 1.
    waiter = _start(env, waiters, "--host", target)
    aborted = _running(env)
    _ok(env, "server", "migration", "abort", "mover", aborted)
    _one_line_failure(_ended(waiter), f"migration {aborted} is cancelled")
    assert _shown(env) == ("ACTIVE", source)
    # Not running any more: the API's refusal, one line.
    _one_line_failure(nimbus(env, "server", "migration", "force",
                             "complete", "mover", aborted), aborted)
    _one_line_failure(nimbus(env, "server", "migration", "abort", "mover",
                             "999999"), "999999")

    # Force complete: the waiter sees the server ACTIVE on the target.
    waiter = _start(env, waiters, "--host", target, "--block-migration")
    forced = _running(env)
    _ok(env, "server", "migration", "force", "complete", "mover", forced)
    done = _ended(waiter)
    assert done.returncode == 0, done.stderr
    bars = done.stderr.splitlines()
    assert any("MIGRATING/migrating" in b for b in bars), bars
    assert bars[-1].startswith("[" + "#" * 24 + "]") and "ACTIVE" in \
        bars[-1], bars
    assert _shown(env) == ("ACTIVE", target)
    one = json.loads(_ok(env, "server", "migration", "show", "mover",
                         forced, "-f", "json").stdout)
    assert (one["status"], one["source_compute"], one["dest_compute"]) == \
        ("completed", source, target)
