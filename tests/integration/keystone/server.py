"""A real OpenStack Keystone on 127.0.0.1 for one test session.

Keystone comes from PyPI into its own virtualenv (it pins its own oslo
libraries): ``tools/setup-keystone.sh`` makes it, by default in
``.cache/keystone-venv``; ``NIMBUS_KEYSTONE_VENV`` names another.
:func:`running_keystone` configures it in a temporary directory (SQLite,
Fernet tokens), runs ``keystone-manage`` (db_sync, fernet_setup,
credential_setup, bootstrap), serves it with gunicorn
(``tests/integration/gunicorn_app.py``) and stops that process, by PID,
afterwards. A missing virtualenv or a
Keystone that does not come up raises: the tests fail, never skip.
"""

import contextlib
import os
import pathlib
import subprocess
import time

import requests

from tests.conftest import free_port, write_conf
from tests.integration import procs

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV = pathlib.Path(os.environ.get("NIMBUS_KEYSTONE_VENV",
                                   ROOT / ".cache" / "keystone-venv"))
SERVE = pathlib.Path(__file__).parent.parent / "gunicorn_app.py"
ADMIN_PASSWORD = "keystone-admin-pass"
REGION = "RegionOne"


class KeystoneError(RuntimeError):
    """Keystone could not be installed, configured or started."""


def _tail(path, lines=30):
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _check_venv():
    manage = VENV / "bin" / "keystone-manage"
    if not manage.exists():
        raise KeystoneError(
            f"no Keystone virtualenv at {VENV}: run "
            f"tools/setup-keystone.sh {VENV}")
    return manage


def _configure(workdir):
    return write_conf(workdir / "keystone.conf", {
        "DEFAULT": {"use_stderr": "true"},
        "database": {"connection": f"sqlite:///{workdir}/keystone.db"},
        "token": {"provider": "fernet"},
        "fernet_tokens": {"key_repository": workdir / "fernet-keys"},
        "fernet_receipts": {"key_repository": workdir / "fernet-keys"},
        "credential": {"key_repository": workdir / "credential-keys"},
        "identity": {"password_hash_rounds": 4},
        "cache": {"enabled": "false"},
    })


def _manage(manage, conf, log, *args):
    result = subprocess.run([str(manage), "--config-file", str(conf),
                             *args], stdout=log, stderr=subprocess.STDOUT,
                            timeout=120)
    if result.returncode:
        raise KeystoneError(f"keystone-manage {args[0]} failed "
                            f"({result.returncode}):\n"
                            f"{_tail(pathlib.Path(log.name))}")


def _bootstrap(manage, conf, log, url):
    user = ("--keystone-user", "root", "--keystone-group", "root")
    _manage(manage, conf, log, "db_sync")
    _manage(manage, conf, log, "fernet_setup", *user)
    _manage(manage, conf, log, "credential_setup", *user)
    _manage(manage, conf, log, "bootstrap",
            "--bootstrap-password", ADMIN_PASSWORD,
            "--bootstrap-admin-url", url, "--bootstrap-internal-url", url,
            "--bootstrap-public-url", url, "--bootstrap-region-id", REGION)


def wait_ready(proc, url, log_path, timeout=60):
    """Poll ``url`` until it answers 200; raise if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise KeystoneError(f"Keystone exited ({proc.returncode}):\n"
                                f"{_tail(log_path)}")
        # A worker still starting may accept and answer late: a timeout
        # is "not yet", like a refused connection.
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise KeystoneError(f"Keystone not up after {timeout}s:\n"
                        f"{_tail(log_path)}")


def stop(proc):
    """Stop ``proc`` (SIGTERM, then SIGKILL after 15 s)."""
    procs.terminate(proc, grace=15)


@contextlib.contextmanager
def running_keystone(workdir, port=None):
    """Yield Keystone's v3 URL (on ``port``, by default a free one); its
    admin is ``admin``/``ADMIN_PASSWORD`` in project ``admin``. The
    server is stopped on exit."""
    manage = _check_venv()
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/v3"
    conf = _configure(workdir)
    with open(workdir / "keystone-manage.log", "wb") as log:
        _bootstrap(manage, conf, log, url)
    log_path = workdir / "keystone.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(VENV / "bin" / "python"), str(SERVE), "127.0.0.1",
             str(port), "60", "keystone.wsgi.api:application"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(os.environ, OS_KEYSTONE_CONFIG_DIR=str(workdir)))
    try:
        wait_ready(proc, url, log_path)
        yield url
    finally:
        stop(proc)
