"""One Keystone, one Barbican behind it and one nimbus-all verifying
image signatures against it, shared by this package's tests; all are
stopped and their directory removed even on failure."""

import tempfile
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.integration.barbican import server as barbican
from tests.integration.barbican import signing
from tests.integration.keystone import cloud
from tests.integration.keystone import server as keystone


def _register_barbican(keystone_url, barbican_url):
    """Barbican's service user (role ``service`` on ``service``, as
    nimbus's) and its ``key-manager`` endpoint."""
    identity = cloud._admin_connection(keystone_url).identity
    project = identity.find_project("service", ignore_missing=False)
    user = identity.create_user(name=barbican.SERVICE_USER,
                                password=barbican.SERVICE_PASSWORD,
                                domain_id="default",
                                default_project_id=project.id)
    identity.assign_project_role_to_user(
        project, user, identity.find_role("service", ignore_missing=False))
    service = identity.create_service(name="barbican", type="key-manager")
    identity.create_endpoint(service_id=service.id, interface="public",
                             url=barbican_url, region_id=keystone.REGION)


@pytest.fixture(scope="package")
def signing_cloud():
    barbican.check_venv()  # before anything starts: fail, never skip
    with tempfile.TemporaryDirectory(prefix="nimbus-barbican-") as tmp:
        workdir = Path(tmp)
        with keystone.running_keystone(workdir) as keystone_url:
            port = free_port()
            cloud.register(keystone_url, f"http://127.0.0.1:{port}")
            barbican_port = free_port()
            _register_barbican(keystone_url,
                               f"http://127.0.0.1:{barbican_port}")
            with barbican.running_barbican(workdir, keystone_url,
                                           barbican_port) as barbican_url:
                extra = {
                    "glance": {"verify_glance_signatures": "true",
                               "enable_certificate_validation": "true"},
                    "key_manager": {"backend": "barbican"},
                    "barbican": {"auth_endpoint": keystone_url,
                                 "barbican_endpoint": barbican_url}}
                with cloud.running_nimbus(workdir, keystone_url, port,
                                          extra) as nimbus_url:
                    yield signing.SigningCloud(
                        cloud.Cloud(keystone_url, nimbus_url, workdir),
                        barbican_url)
