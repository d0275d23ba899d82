"""nimbus-manage config check (one line per problem, exit 1) and
bootstrap (idempotent, refuses a different admin password), run as an
operator would."""

import os
import subprocess
import sys

import yaml

from tests.conftest import free_port, write_conf

BIN = os.path.dirname(sys.executable)


def manage(conf, *args):
    return subprocess.run([f"{BIN}/nimbus-manage", "--config-file",
                           str(conf), *args], capture_output=True,
                          text=True, timeout=120)


def test_config_check_one_line_per_problem(tmp_path):
    conf = write_conf(tmp_path / "bad.conf", {
        "DEFAULT": {"state_path": tmp_path / "state",
                    "transport_url": "rabbit://guest:wrong@127.0.0.1:5672/"},
        "compute": {"hypervisor": "libvirtt"},
        "scheduler": {"enabled_filters": "compute,nosuch"},
        "database": {"connection":
                     f"postgresql+psycopg2://postgres@127.0.0.1:"
                     f"{free_port()}/nimbus"}})
    out = manage(conf, "config", "check", "--role", "all")
    assert out.returncode == 1, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 4, lines
    text = "\n".join(lines)
    assert "[compute] hypervisor: no plugin named 'libvirtt'" in text
    assert "[scheduler] enabled_filters: no plugin named 'nosuch'" in text
    assert "[DEFAULT] transport_url: broker guest@127.0.0.1:5672" in text
    assert "ACCESS_REFUSED" in text
    assert "[database] connection postgresql+psycopg2://" in text
    assert "Traceback" not in out.stderr


def test_config_check_passes_and_names_the_role(tmp_path):
    conf = write_conf(tmp_path / "ok.conf", {
        "DEFAULT": {"state_path": tmp_path / "state",
                    "transport_url": "rabbit://guest:guest@127.0.0.1:5672/"}})
    out = manage(conf, "config", "check", "--role", "compute")
    assert (out.returncode, out.stdout.strip()) == (
        0, f"{conf}: no problems found (role compute)")
    # A controller without a database URL is a problem, said once.
    out = manage(conf, "config", "check")
    assert out.returncode == 1
    assert out.stdout.count("[database] connection: not set") == 1


def test_bootstrap_is_idempotent_and_writes_clouds_yaml(tmp_path):
    conf = write_conf(tmp_path / "c.conf", {
        "DEFAULT": {"state_path": tmp_path / "state"},
        "api": {"bind_port": 9999}})
    clouds = tmp_path / "clouds.yaml"
    for _ in range(2):
        out = manage(conf, "bootstrap", "--admin-password", "pw-1",
                     "--write-clouds-yaml", str(clouds))
        assert out.returncode == 0, out.stderr
    assert "created 0 flavors" in out.stdout
    assert clouds.stat().st_mode & 0o777 == 0o600
    cloud = yaml.safe_load(clouds.read_text())["clouds"]["nimbus"]
    assert cloud["auth"]["password"] == "pw-1"
    assert cloud["auth"]["auth_url"] == "http://127.0.0.1:9999/identity"
    other = manage(conf, "bootstrap", "--admin-password", "pw-2")
    assert other.returncode == 2
    assert other.stderr.strip().splitlines()[-1].startswith(
        "nimbus-manage: Configuration error: user 'admin' already exists "
        "with another password")
