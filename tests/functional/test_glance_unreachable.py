"""With ``[images] backend = glance`` and Glance not answering, requests
that need an image get 503 with Nova's fault body and Retry-After, never
a 500; nimbus-all starts anyway (it seeds no image into a Glance)."""

import uuid

import pytest
from keystoneauth1 import loading as ks_loading

from tests.conftest import free_port


@pytest.fixture
def dead_glance_stack(nimbus_conf):
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.plugins.images.glance import conf as glance_conf
    from tests.conftest import Stack
    ks_loading.register_auth_conf_options(nimbus_conf, "keystone_authtoken")
    # no Keystone here: the endpoint alone is tried, and refuses.
    nimbus_conf.set_override("auth_type", "none", "keystone_authtoken")
    glance_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("endpoint", f"http://127.0.0.1:{free_port()}",
                             "glance")
    nimbus_conf.set_override("timeout", 5, "glance")
    nimbus_conf.set_override("backend", "glance", "images")
    started = all_daemon.start_all(nimbus_conf)
    stack = Stack(nimbus_conf, started)
    yield stack
    stack.stop()


def test_dead_glance_is_a_503_not_a_500(dead_glance_stack):
    compute = dead_glance_stack.sdk().compute
    flavor = compute.find_flavor("m1.tiny", ignore_missing=False)
    image_id = str(uuid.uuid4())
    for method, path, body, version in (
            ("GET", f"/images/{image_id}", None, "2.35"),  # the proxy
            ("POST", "/servers", {"server": {
                "name": "nowhere", "imageRef": image_id,
                "flavorRef": flavor.id, "networks": "none"}}, "2.37")):
        resp = compute.request(path, method, json=body,
                               microversion=version)
        assert resp.status_code == 503, (path, resp.text)
        fault = resp.json()["serviceUnavailable"]
        assert fault["code"] == 503
        assert "Glance" in fault["message"]
        assert resp.headers["Retry-After"]
