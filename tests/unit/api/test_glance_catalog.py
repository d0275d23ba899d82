"""With images in a Glance (``[images] backend = glance``) nimbus serves
no Image API: the image dialect serves nothing, nimbus's own catalog
names Glance, and nimbus-all's clouds.yaml sends no client to /image."""

import types

from oslo_config import cfg

from nimbus.api.identity import tokens
from nimbus.api.image import dialect
from nimbus.cli.daemons import all as all_daemon
from nimbus.core.conf import images as images_conf
from nimbus.plugins.images.glance import conf as glance_conf


def _conf(backend, endpoint=None):
    conf = cfg.ConfigOpts()
    images_conf.register_opts(conf)
    conf([], project="nimbus-test", default_config_files=[])
    conf.set_override("backend", backend, "images")
    if backend == "glance":
        glance_conf.register_opts(conf)
        conf.set_override("endpoint", endpoint, "glance")
    return conf


def test_catalog_names_glance_as_the_image_service():
    entries = {e["type"]: e for e in tokens.catalog(
        "http://h:8774", "RegionOne", ["openstack", "identity"],
        image_url="http://glance:9292")}
    assert {ep["url"] for ep in entries["image"]["endpoints"]} == \
        {"http://glance:9292"}
    assert tokens._glance_url(_conf("glance", "http://glance:9292")) == \
        "http://glance:9292"
    assert tokens._glance_url(_conf("local")) is None


def test_the_image_dialect_serves_nothing_with_glance():
    services = types.SimpleNamespace()
    assert dialect.ImageDialect(_conf("glance"), services).prefixes == ()
    assert dialect.ImageDialect(_conf("local"), services).prefixes == \
        ("image",)


def test_clouds_yaml_sends_no_client_to_image_with_glance():
    conf = types.SimpleNamespace(
        api=types.SimpleNamespace(auth_strategy="noauth2",
                                  enabled_dialects=["openstack", "image"]),
        images=types.SimpleNamespace(backend="glance"))
    entry = all_daemon.clouds_yaml(conf, "http://h:8774")["clouds"]["nimbus"]
    assert "image_endpoint_override" not in entry
    conf.images.backend = "local"
    entry = all_daemon.clouds_yaml(conf, "http://h:8774")["clouds"]["nimbus"]
    assert entry["image_endpoint_override"] == "http://h:8774/image"
