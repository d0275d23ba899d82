"""One Keystone, one Glance and one nimbus-all (images in that Glance)
shared by this package's tests; all are stopped and their directory
removed even on failure."""

import tempfile
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.integration.glance import cloud, server
from tests.integration.keystone import server as keystone_server


@pytest.fixture(scope="package")
def glance_cloud():
    with tempfile.TemporaryDirectory(prefix="nimbus-glance-") as tmp:
        workdir = Path(tmp)
        with keystone_server.running_keystone(workdir) as keystone_url:
            port = free_port()
            identity = cloud.register(keystone_url,
                                      f"http://127.0.0.1:{port}")
            with server.running_glance(workdir, keystone_url) as glance_url:
                cloud.point_image_endpoint(identity, glance_url)
                conf = cloud.nimbus_conf(workdir, keystone_url, port)
                with cloud.running_nimbus(workdir, conf,
                                          port) as nimbus_url:
                    yield cloud.Cloud(keystone_url, nimbus_url, glance_url,
                                      workdir, conf)
