"""A real OpenStack Glance on 127.0.0.1 for one test session.

Glance comes from PyPI into its own virtualenv (it pins its own oslo
libraries): ``tools/setup-glance.sh`` makes it, by default in
``.cache/glance-venv``; ``NIMBUS_GLANCE_VENV`` names another.
:func:`prepare` configures it in a directory of its own (SQLite, one
``file`` store, Keystone auth through keystonemiddleware against the
given Keystone) and runs ``glance-manage db_sync`` (while Keystone
starts: it needs none); :func:`running_glance` serves the API with
gunicorn (``tests/integration/gunicorn_app.py``) and stops that
process, by PID, afterwards. A missing virtualenv or a Glance that does
not come up raises: the tests fail, never skip.
"""

import contextlib
import os
import pathlib
import subprocess

from tests.conftest import free_port, write_conf
from tests.integration.keystone import server as keystone_server

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV = pathlib.Path(os.environ.get("NIMBUS_GLANCE_VENV",
                                   ROOT / ".cache" / "glance-venv"))
SERVE = pathlib.Path(__file__).parent.parent / "gunicorn_app.py"
#: Glance's own service user in Keystone (keystonemiddleware's).
USER = "glance"
PASSWORD = "glance-service-pass"


class GlanceError(RuntimeError):
    """Glance could not be installed, configured or started."""


def check_venv():
    manage = VENV / "bin" / "glance-manage"
    if not manage.exists():
        raise GlanceError(f"no Glance virtualenv at {VENV}: run "
                          f"tools/setup-glance.sh {VENV}")
    return manage


def _configure(confdir, datadir, keystone_url, url):
    paste = VENV / "etc" / "glance" / "glance-api-paste.ini"
    if not paste.exists():
        raise GlanceError(f"{paste} is missing: reinstall {VENV}")
    stores = {name: datadir / name for name in ("images", "staging",
                                                "tasks", "locks")}
    for path in stores.values():
        path.mkdir(parents=True, exist_ok=True)
    return write_conf(confdir / "glance-api.conf", {
        "DEFAULT": {"use_stderr": "true", "enabled_backends": "fs:file",
                    "worker_self_reference_url": url},
        "database": {"connection": f"sqlite:///{datadir}/glance.db"},
        "glance_store": {"default_backend": "fs"},
        "fs": {"filesystem_store_datadir": stores["images"]},
        "os_glance_staging_store": {
            "filesystem_store_datadir": stores["staging"]},
        "os_glance_tasks_store": {
            "filesystem_store_datadir": stores["tasks"]},
        "oslo_concurrency": {"lock_path": stores["locks"]},
        "paste_deploy": {"flavor": "keystone", "config_file": paste},
        "keystone_authtoken": {
            "www_authenticate_uri": keystone_url,
            "auth_url": keystone_url, "auth_type": "password",
            "username": USER, "password": PASSWORD,
            "project_name": "service", "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": keystone_server.REGION},
    })


def prepare(workdir, keystone_url):
    """Configure Glance in ``workdir`` and make its database (Keystone
    need not be up yet); returns what :func:`running_glance` takes."""
    manage = check_venv()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    confdir = workdir / "glance-etc"
    confdir.mkdir()
    conf = _configure(confdir, workdir / "glance", keystone_url, url)
    env = dict(os.environ, OS_GLANCE_CONFIG_DIR=str(confdir))
    with open(workdir / "glance-manage.log", "wb") as log:
        result = subprocess.run(
            [str(manage), "--config-file", str(conf), "db_sync"],
            stdout=log, stderr=subprocess.STDOUT, env=env, timeout=180)
    if result.returncode:
        raise GlanceError(
            f"glance-manage db_sync failed ({result.returncode}):\n"
            f"{keystone_server._tail(workdir / 'glance-manage.log')}")
    return workdir, confdir, port


@contextlib.contextmanager
def running_glance(prepared):
    """Serve the Glance :func:`prepare` made; yield its base URL
    (``http://127.0.0.1:PORT``). Its service user :data:`USER` must exist
    in Keystone. Stopped on exit."""
    workdir, confdir, port = prepared
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "glance.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(VENV / "bin" / "python"), str(SERVE), "127.0.0.1",
             str(port), "120", "glance.wsgi.api:application"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(os.environ, OS_GLANCE_CONFIG_DIR=str(confdir)))
    try:
        try:
            keystone_server.wait_ready(proc, url + "/healthcheck",
                                       log_path, timeout=90)
        except keystone_server.KeystoneError as err:
            raise GlanceError(str(err).replace("Keystone", "Glance"))
        yield url
    finally:
        keystone_server.stop(proc)
