"""One Keystone, one Glance and one nimbus-all (images in that Glance,
guests on libvirt) shared by this package's tests; all are stopped, the
run's domains and their directory removed even on failure."""

import concurrent.futures
import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.integration.glance import cloud, server
from tests.integration.keystone import cloud as keystone_cloud
from tests.integration.keystone import server as keystone_server


@pytest.fixture(scope="package")
def glance_cloud():
    server.check_venv()  # before anything starts: fail fast
    cloud.check_libvirt()
    with tempfile.TemporaryDirectory(prefix="nimbus-glance-") as tmp, \
            cloud.domain_prefix() as prefix:
        workdir = Path(tmp)
        # QEMU runs as libvirt-qemu: the instances must be reachable.
        os.chmod(workdir, 0o755)
        keystone_port = free_port()
        keystone_url = f"http://127.0.0.1:{keystone_port}/v3"
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            glance = pool.submit(server.prepare, workdir, keystone_url)
            with keystone_server.running_keystone(workdir, keystone_port):
                port = free_port()
                identity = cloud.register(keystone_url,
                                          f"http://127.0.0.1:{port}")
                with server.running_glance(glance.result()) as glance_url:
                    cloud.point_image_endpoint(identity, glance_url)
                    conf = cloud.nimbus_conf(workdir, keystone_url, port,
                                             prefix)
                    with keystone_cloud.serving_nimbus(
                            workdir, conf, port) as nimbus_url:
                        yield cloud.Cloud(keystone_url, nimbus_url,
                                          glance_url, workdir, conf, prefix)
