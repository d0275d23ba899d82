"""A stack with nimbus's own identity (``auth_strategy = nimbus``) and a
clouds.yaml of stock password-auth entries for four callers:

* ``admin``: admin of project ``admin``;
* ``member``, ``reader``: of project ``demo``;
* ``other``: member of project ``other``.
"""

import os
import subprocess
import sys

import pytest
import yaml

BIN = os.path.dirname(sys.executable)
#: the stock ``openstack`` command, its ``--wait`` polling faster.
OPENSTACK = os.path.join(os.path.dirname(__file__), "openstack_cli.py")
PASSWORD = "s3cret-pass"
USERS = {"member": ("demo", "member"), "reader": ("demo", "reader"),
         "other": ("other", "member")}


class Cloud:
    """The running stack plus ways to reach it as each caller."""

    def __init__(self, stack, clouds_file, project_ids):
        self.stack = stack
        self.url = stack.url
        self.clouds_file = str(clouds_file)
        self.project_ids = project_ids

    def env(self, who="admin"):
        return dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds_file,
                    OS_CLOUD=who, PYTHONWARNINGS="ignore")

    def sdk(self, who="admin"):
        import openstack
        from openstack import config as os_config
        config = os_config.OpenStackConfig(
            config_files=[self.clouds_file]).get_one(cloud=who)
        return openstack.connection.Connection(config=config)

    def openstack(self, who, *args, check=True):
        result = subprocess.run([sys.executable, OPENSTACK, *args],
                                env=self.env(who), capture_output=True,
                                text=True, timeout=120)
        if check:
            assert result.returncode == 0, (args, result.stderr)
        return result

    def token(self, who="admin"):
        return self.sdk(who).session.get_token()


def _clouds(url, project_ids):
    def entry(user, password, project):
        return {"auth_type": "password", "region_name": "RegionOne",
                "identity_api_version": 3,
                "auth": {"auth_url": url + "/identity", "username": user,
                         "password": password, "project_name": project,
                         "user_domain_name": "Default",
                         "project_domain_name": "Default"}}
    clouds = {"admin": entry("admin", PASSWORD, "admin")}
    for user, (project, _) in USERS.items():
        clouds[user] = entry(user, PASSWORD, project)
    return {"clouds": clouds}


@pytest.fixture
def cloud(nimbus_conf, tmp_path):
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    from nimbus.core.identity import manage
    from tests.conftest import Stack, migrated
    nimbus_conf.set_override("auth_strategy", "nimbus", "api")
    nimbus_conf.set_override("admin_password", PASSWORD, "identity")
    nimbus_conf.set_override("bcrypt_rounds", 4, "identity")
    migrated(nimbus_conf)
    started = all_daemon.start_all(nimbus_conf)
    stack = Stack(nimbus_conf, started)
    admin = manage.IdentityAdmin(nimbus_conf, db_api)
    ctx = context.get_admin_context()
    projects = {"admin": admin.find_project(ctx, "admin")["id"]}
    for name in ("demo", "other"):
        projects[name] = admin.create_project(ctx, name)["id"]
    for user, (project, role) in USERS.items():
        row = admin.create_user(ctx, user, PASSWORD)
        admin.grant(ctx, row["id"], projects[project],
                    admin.find_role(ctx, role)["id"])
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(yaml.safe_dump(_clouds(stack.url, projects)))
    try:
        yield Cloud(stack, clouds, projects)
    finally:
        stack.stop()


@pytest.fixture
def advertise(monkeypatch):
    """Advertise (and so accept) up to 2.N while a version below it is
    not served yet: ``advertise(73)``.

    The API advertises only the unbroken run of served versions (Nova
    refuses a version past its maximum with a 406, and stock clients
    check a version they are given against the advertised maximum).
    Versions implemented above a gap are tested through this; once the
    gap is served it changes nothing."""
    from nimbus.api.openstack import microversion

    def _advertise(minor):
        monkeypatch.setattr(microversion, "MAX_VERSION",
                            max(microversion.MAX_VERSION, (2, minor)))
    return _advertise


@pytest.fixture
def zoned(cloud):
    """The cloud with fake-2 in availability zone ``zone-b`` (an
    aggregate ``b``); fake-1 stays in the default zone."""
    admin = cloud.sdk()
    aggregate = admin.compute.create_aggregate(name="b",
                                               availability_zone="zone-b")
    admin.compute.add_host_to_aggregate(aggregate, "fake-2")
    return cloud
