"""One Keystone and one nimbus-all behind it, shared by this package's
tests; both are stopped and their directory removed even on failure."""

import tempfile
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.integration.keystone import cloud, server


@pytest.fixture(scope="package")
def keystone_cloud():
    with tempfile.TemporaryDirectory(prefix="nimbus-keystone-") as tmp:
        workdir = Path(tmp)
        with server.running_keystone(workdir) as keystone_url:
            port = free_port()
            cloud.register(keystone_url, f"http://127.0.0.1:{port}")
            with cloud.running_nimbus(workdir, keystone_url,
                                      port) as nimbus_url:
                yield cloud.Cloud(keystone_url, nimbus_url, workdir)
