"""The ``glance`` image plugin keeps the image contract on a real Glance
(the conformance kit), and says so clearly when Glance is not there."""

import unittest

import pytest
from oslo_config import cfg

from nimbus.core import exception, loading
from nimbus.core.testing.images import (
    ImageStoreConformanceTests,
    make_context,
)
from tests.conftest import free_port

pytestmark = pytest.mark.real


def glance_store(conf_file, state_path, **glance):
    """The plugin configured as the suite's nimbus-all (Glance found in
    Keystone's catalog), with its own ``state_path``."""
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path"))
    conf(["--config-file", str(conf_file)], project="nimbus-test",
         default_config_files=[])
    conf.set_override("state_path", state_path)
    store = loading.load_driver(loading.IMAGES, "glance", conf)
    for key, value in glance.items():
        conf.set_override(key, value, group="glance")
    return store


@pytest.fixture(scope="module")
def shared_store(glance_cloud, tmp_path_factory):
    """One store for the kit's tests (as one per service): its session
    and discovery of Glance are made once."""
    return glance_store(glance_cloud.conf_file,
                        str(tmp_path_factory.mktemp("state")))


class TestGlanceConformance(ImageStoreConformanceTests, unittest.TestCase):
    @pytest.fixture(autouse=True)
    def _store(self, shared_store):
        self.shared_store = shared_store

    def make_store(self):
        return self.shared_store


def test_endpoint_option_overrides_the_catalog(glance_cloud, tmp_path):
    store = glance_store(glance_cloud.conf_file, str(tmp_path),
                         endpoint=glance_cloud.glance_url)
    admin = make_context("admin", is_admin=True)
    image = store.create(admin, {"name": "by-endpoint"})
    try:
        assert store.get(admin, image["id"])["name"] == "by-endpoint"
    finally:
        store.delete(admin, image["id"])


def test_list_follows_glances_pages(shared_store, monkeypatch):
    from nimbus.plugins.images.glance import store as glance_store_mod
    owner = make_context("paging")
    made = [shared_store.create(owner, {"name": f"page-{n}",
                                        "visibility": "private"})["id"]
            for n in range(5)]
    try:
        monkeypatch.setattr(glance_store_mod, "_PAGE", 2)
        listed = [r for r in shared_store.list(owner)
                  if r["owner"] == "paging"]
        # every page once; oldest first (ties: by id, as Glance's sort)
        assert sorted(r["id"] for r in listed) == sorted(made)
        keys = [(r["created_at"], r["id"]) for r in listed]
        assert keys == sorted(keys)
    finally:
        for image_id in made:
            shared_store.delete(owner, image_id)


def test_glance_unreachable_is_service_unavailable(glance_cloud, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    store = glance_store(glance_cloud.conf_file, str(tmp_path),
                         endpoint=dead, timeout=5)
    admin = make_context("admin", is_admin=True)
    for call in (lambda: store.list(admin),
                 lambda: store.get(admin, "a0d1c0de-0000-4000-8000-"
                                          "000000000009"),
                 lambda: store.create(admin, {"name": "nowhere"})):
        with pytest.raises(exception.ServiceUnavailable) as caught:
            call()
        assert caught.value.code == 503
        assert "Glance" in str(caught.value)
