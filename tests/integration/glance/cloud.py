"""nimbus using an existing cloud's Glance: a real Keystone and a real
Glance (each from PyPI in its own virtualenv), nimbus-all with
``[images] backend = glance`` behind them, done as an operator would.
Its compute host runs the libvirt plugin (virt_type qemu) against the
system libvirtd, as tests/integration/libvirt does, with domain names
of the run's own prefix.

:func:`register` does in Keystone what the Keystone suite's
``cloud.register`` does (nimbus's service user, the ``demo`` and
``other`` projects, compute/image/volume endpoints), then creates Glance's
own service user, gives nimbus's service user Glance's admin role and
points the catalog's ``image`` endpoint at Glance.
"""

import contextlib
import os
import subprocess
import uuid as uuidlib

import pytest
from oslo_concurrency import processutils

from tests.conftest import free_port, write_conf
from tests.integration.glance import server as glance_server
from tests.integration.keystone import cloud as keystone_cloud
from tests.integration.keystone import server as keystone_server

BIN = keystone_cloud.BIN
LIBVIRT_URI = os.environ.get("NIMBUS_TEST_LIBVIRT_URI", "qemu:///system")
GUEST_DIR = os.environ.get("NIMBUS_GUEST_DIR") or str(
    glance_server.ROOT / ".cache" / "guest")
BOOT_MARKER = "NIMBUS-GUEST-BOOTED"


def virsh(*args, check=True):
    return processutils.execute(
        "virsh", "-c", LIBVIRT_URI, *args,
        check_exit_code=[0] if check else False)[0]


def check_libvirt():
    """Fail (never skip) when libvirtd is not there; build the guest."""
    try:
        virsh("version")
    except (processutils.ProcessExecutionError, OSError) as err:
        pytest.fail(f"libvirtd is not reachable at {LIBVIRT_URI} (start it "
                    f"with 'virtlogd -d; libvirtd -d'): {err}",
                    pytrace=False)
    subprocess.run([str(glance_server.ROOT / "tools" /
                         "build-test-guest.sh"), GUEST_DIR], check=True)


@contextlib.contextmanager
def domain_prefix():
    """A domain-name prefix of this run; its domains are removed after."""
    prefix = f"nimbus-gl{uuidlib.uuid4().hex[:6]}-"
    try:
        yield prefix
    finally:
        for name in virsh("list", "--all", "--name").split():
            if name.startswith(prefix):
                virsh("destroy", name, check=False)
                virsh("undefine", name, "--managed-save", check=False)


def register(keystone_url, nimbus_url):
    """Keystone's users, projects and endpoints; returns the admin's
    openstacksdk identity proxy."""
    keystone_cloud.register(keystone_url, nimbus_url)
    identity = keystone_cloud._admin_connection(keystone_url).identity
    service = identity.find_project("service", ignore_missing=False)
    glance = identity.create_user(name=glance_server.USER,
                                  password=glance_server.PASSWORD,
                                  domain_id="default",
                                  default_project_id=service.id)
    identity.assign_project_role_to_user(
        service, glance, identity.find_role("service", ignore_missing=False))
    nimbus = identity.find_user("nimbus", ignore_missing=False)
    identity.assign_project_role_to_user(
        service, nimbus, identity.find_role("admin", ignore_missing=False))
    return identity


def point_image_endpoint(identity, glance_url):
    """Make the catalog's ``image`` endpoint Glance's."""
    [image] = identity.services(type="image")
    for endpoint in identity.endpoints(service_id=image.id):
        identity.update_endpoint(endpoint, url=glance_url)


def nimbus_conf(workdir, keystone_url, port, prefix):
    """nimbus-all's configuration: Keystone auth (as the Keystone suite's),
    images in Glance (found in the catalog), libvirt guests whose
    domain names start with ``prefix``, and no network (servers boot with ``--nic none``)."""
    return write_conf(workdir / "nimbus.conf", {
        "DEFAULT": {"state_path": workdir / "nimbus-state"},
        "api": {"bind_port": port, "auth_strategy": "keystone",
                "enabled_dialects": "openstack,image,volume"},
        "all": {"compute_hosts": "gl-1"},
        "compute": {"hypervisor": "libvirt"},
        "libvirt": {"virt_type": "qemu",
                    "instances_path": workdir / "instances",
                    "domain_name_prefix": prefix},
        "network": {"metadata_port": free_port(),
                    "create_default_network": "false"},
        "images": {"backend": "glance"},
        "glance": {"region_name": keystone_server.REGION},
        "keystone_authtoken": {
            "www_authenticate_uri": keystone_url,
            "auth_url": keystone_url, "auth_type": "password",
            "username": "nimbus", "password": keystone_cloud.SERVICE_PASSWORD,
            "project_name": "service", "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": keystone_server.REGION},
    })


class Cloud(keystone_cloud.Cloud):
    """The Keystone suite's :class:`Cloud`, with Glance's URL and
    nimbus's configuration and state."""

    def __init__(self, keystone_url, nimbus_url, glance_url, workdir,
                 conf, prefix):
        super().__init__(keystone_url, nimbus_url, workdir)
        self.glance_url = glance_url
        self.conf_file = conf
        #: domain names of this run's guests start with it.
        self.prefix = prefix
        self.state_path = workdir / "nimbus-state"
