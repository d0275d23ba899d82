"""nimbus behind a real Keystone: what an operator of an existing cloud
does, done by the tests.

:func:`register` creates, in Keystone, the ``nimbus`` service user (role
``service`` on project ``service``, enough to validate tokens), the
``demo`` and ``other`` projects each with a user holding ``member``, and
nimbus's compute (``/v2.1``) and image (``/image``) endpoints.
:func:`running_nimbus` starts ``nimbus-all`` with ``auth_strategy =
keystone`` and stops it by PID. :class:`Cloud` reaches it through a stock
password-auth clouds.yaml whose ``auth_url`` is Keystone.
"""

import contextlib
import os
import subprocess
import sys
import time

import requests
import yaml

from tests.conftest import free_port, write_conf
from tests.integration.keystone import server

BIN = os.path.dirname(sys.executable)
PASSWORD = "user-pass-1"
SERVICE_PASSWORD = "nimbus-service-pass"
USERS = {"demo": "demo", "other": "other"}  # user -> project


def _admin_connection(keystone_url):
    import openstack
    return openstack.connection.Connection(
        auth_url=keystone_url, username="admin",
        password=server.ADMIN_PASSWORD, project_name="admin",
        user_domain_name="Default", project_domain_name="Default",
        region_name=server.REGION)


def register(keystone_url, nimbus_url):
    """Create nimbus's user, projects, users and endpoints in Keystone."""
    identity = _admin_connection(keystone_url).identity

    def user_with_role(name, password, project, role):
        project = identity.create_project(name=project, domain_id="default")
        user = identity.create_user(name=name, password=password,
                                    domain_id="default",
                                    default_project_id=project.id)
        identity.assign_project_role_to_user(
            project, user, identity.find_role(role, ignore_missing=False))

    user_with_role("nimbus", SERVICE_PASSWORD, "service", "service")
    for user, project in USERS.items():
        user_with_role(user, PASSWORD, project, "member")
    for name, kind, path in (("nova", "compute", "/v2.1"),
                             ("glance", "image", "/image"),
                             ("cinder", "block-storage", "/volume/v3")):
        service = identity.create_service(name=name, type=kind)
        identity.create_endpoint(service_id=service.id, interface="public",
                                 url=nimbus_url + path,
                                 region_id=server.REGION)


def _nimbus_conf(workdir, keystone_url, port, extra=None):
    sections = {
        "DEFAULT": {"state_path": workdir / "nimbus-state"},
        "api": {"bind_port": port, "auth_strategy": "keystone",
                "enabled_dialects": "openstack,image,volume,ec2"},
        "ec2": {"bind_port": free_port()},
        "all": {"compute_hosts": "fake-1"},
        "network": {"metadata_port": free_port()},
        "keystone_authtoken": {
            "www_authenticate_uri": keystone_url,
            "auth_url": keystone_url, "auth_type": "password",
            "username": "nimbus", "password": SERVICE_PASSWORD,
            "project_name": "service", "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": server.REGION},
    }
    for section, values in (extra or {}).items():
        sections[section] = dict(sections.get(section, {}), **values)
    return write_conf(workdir / "nimbus.conf", sections)


@contextlib.contextmanager
def running_nimbus(workdir, keystone_url, port, extra=None):
    """Run nimbus-all against Keystone; yield its base URL.

    :param extra: more configuration, ``{section: {option: value}}``.
    """
    conf = _nimbus_conf(workdir, keystone_url, port, extra)
    with serving_nimbus(workdir, conf, port) as url:
        yield url


@contextlib.contextmanager
def serving_nimbus(workdir, conf, port):
    """Run nimbus-all with the configuration file ``conf``; yield its
    base URL. Stopped (by PID) on exit."""
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "nimbus.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [f"{BIN}/nimbus-all", "--config-file", str(conf)], stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        server.wait_ready(proc, url + "/v2.1", log_path)
        yield url
    finally:
        server.stop(proc)


def _clouds(keystone_url):
    def entry(user, password, project):
        return {"auth_type": "password", "region_name": server.REGION,
                "identity_api_version": 3,
                "auth": {"auth_url": keystone_url, "username": user,
                         "password": password, "project_name": project,
                         "user_domain_name": "Default",
                         "project_domain_name": "Default"}}
    clouds = {"admin": entry("admin", server.ADMIN_PASSWORD, "admin")}
    for user, project in USERS.items():
        clouds[user] = entry(user, PASSWORD, project)
    return {"clouds": clouds}


class Cloud:
    """Keystone, nimbus, and the stock clients as each caller."""

    def __init__(self, keystone_url, nimbus_url, workdir):
        self.keystone_url = keystone_url
        self.url = nimbus_url
        self.clouds_file = workdir / "clouds.yaml"
        self.clouds_file.write_text(yaml.safe_dump(_clouds(keystone_url)))

    def env(self, who):
        return dict(os.environ, OS_CLIENT_CONFIG_FILE=str(self.clouds_file),
                    OS_CLOUD=who, PYTHONWARNINGS="ignore")

    def openstack(self, who, *args, check=True):
        """Run the ``openstack`` CLI as ``who``."""
        result = subprocess.run([f"{BIN}/openstack", *args],
                                env=self.env(who), capture_output=True,
                                text=True, timeout=120)
        if check:
            assert result.returncode == 0, (args, result.stderr)
        return result

    def sdk(self, who):
        """An openstacksdk connection as ``who``, from the clouds.yaml."""
        import openstack
        from openstack import config as os_config
        config = os_config.OpenStackConfig(
            config_files=[str(self.clouds_file)]).get_one(cloud=who)
        return openstack.connection.Connection(config=config)

    def issue_token(self, identity, scope=None):
        """POST /v3/auth/tokens to Keystone; return the new token."""
        auth = {"identity": identity}
        if scope:
            auth["scope"] = scope
        resp = requests.post(self.keystone_url + "/auth/tokens",
                             json={"auth": auth}, timeout=30)
        assert resp.status_code == 201, resp.text
        return resp.headers["X-Subject-Token"], resp.json()["token"]

    def password_token(self, user, project):
        return self.issue_token(
            {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"},
                "password": PASSWORD}}},
            {"project": {"name": project, "domain": {"id": "default"}}})


def wait_until(deadline):
    """Sleep until the ``time.time()`` value ``deadline``."""
    time.sleep(max(0.0, deadline - time.time()))
