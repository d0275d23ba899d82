"""A real OpenStack Barbican on 127.0.0.1 behind a real Keystone, for one
test session.

Barbican comes from PyPI into its own virtualenv (it pins its own oslo
libraries): ``tools/setup-barbican.sh`` makes it, by default in
``.cache/barbican-venv``; ``NIMBUS_BARBICAN_VENV`` names another.
:func:`running_barbican` configures it in a temporary directory (SQLite,
the ``simple_crypto`` plugin with a fresh key-encryption key, Keystone
tokens checked by keystonemiddleware: Barbican's ``barbican-api-keystone``
pipeline, as a real cloud runs it), serves it with gunicorn
(``tests/integration/gunicorn_app.py``) and stops that process, by PID,
afterwards. A missing virtualenv or a Barbican that does not come up
raises: the tests fail, never skip.
"""

import base64
import contextlib
import os
import pathlib
import secrets
import shutil
import subprocess

from tests.conftest import free_port, write_conf
from tests.integration.keystone import server as keystone

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV = pathlib.Path(os.environ.get("NIMBUS_BARBICAN_VENV",
                                   ROOT / ".cache" / "barbican-venv"))
SERVE = pathlib.Path(__file__).parent.parent / "gunicorn_app.py"
SERVICE_USER = "barbican"
SERVICE_PASSWORD = "barbican-service-pass"


class BarbicanError(RuntimeError):
    """Barbican could not be installed, configured or started."""


def check_venv():
    """Barbican's paste configuration in the virtualenv.

    :raises BarbicanError: no usable virtualenv.
    """
    paste = VENV / "etc" / "barbican" / "barbican-api-paste.ini"
    if not (VENV / "bin" / "python").exists() or not paste.exists():
        raise BarbicanError(
            f"no Barbican virtualenv at {VENV}: run "
            f"tools/setup-barbican.sh {VENV}")
    return paste


def _configure(workdir, port, keystone_url):
    # oslo.config finds ~/.barbican/barbican.conf: HOME is workdir.
    confdir = workdir / ".barbican"
    confdir.mkdir(exist_ok=True)
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    write_conf(confdir / "barbican.conf", {
        "DEFAULT": {"host_href": f"http://127.0.0.1:{port}",
                    "db_auto_create": "true", "use_stderr": "true"},
        "database": {"connection":
                     f"sqlite:///{workdir}/barbican.sqlite"},
        "secretstore": {"enabled_secretstore_plugins": "store_crypto"},
        "crypto": {"enabled_crypto_plugins": "simple_crypto"},
        "simple_crypto_plugin": {"kek": kek},
        "keystone_authtoken": {
            "www_authenticate_uri": keystone_url,
            "auth_url": keystone_url, "auth_type": "password",
            "username": SERVICE_USER, "password": SERVICE_PASSWORD,
            "project_name": "service", "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": keystone.REGION},
    })


@contextlib.contextmanager
def running_barbican(workdir, keystone_url, port=None):
    """Yield Barbican's base URL (``http://127.0.0.1:PORT``); Keystone
    must know the ``SERVICE_USER`` (role ``service``) first."""
    paste = check_venv()
    workdir = pathlib.Path(workdir) / "barbican"
    workdir.mkdir()
    port = port or free_port()
    _configure(workdir, port, keystone_url)
    shutil.copy(paste, workdir / "barbican-api-paste.ini")
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "barbican.log"
    env = dict(os.environ, HOME=str(workdir))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(VENV / "bin" / "python"), str(SERVE), "127.0.0.1",
             str(port), "60",
             f"paste:{workdir / 'barbican-api-paste.ini'}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=workdir, env=env)
    try:
        try:
            keystone.wait_ready(proc, url + "/healthcheck", log_path)
        except keystone.KeystoneError as err:
            raise BarbicanError(str(err).replace("Keystone", "Barbican"))
        yield url
    finally:
        keystone.stop(proc)
