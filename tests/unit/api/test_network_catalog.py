"""Clients find the network dialect in the token's catalog (or, with
noauth2, in the clouds.yaml nimbus-all writes), only while it is
enabled."""

import types

from nimbus.api.identity import tokens
from nimbus.cli.daemons import all as all_daemon


def test_catalog_has_network_without_a_version_suffix():
    entries = {e["type"]: e for e in tokens.catalog(
        "http://h:8774", "RegionOne",
        ["openstack", "identity", "image", "network"])}
    urls = {ep["url"] for ep in entries["network"]["endpoints"]}
    assert urls == {"http://h:8774/network"}
    assert entries["network"]["name"] == "neutron"


def test_catalog_without_the_dialect_has_no_network():
    types_ = {e["type"] for e in tokens.catalog(
        "http://h:8774", "RegionOne", ["openstack", "identity", "image"])}
    assert types_ == {"compute", "identity", "image"}


def _conf(dialects):
    return types.SimpleNamespace(api=types.SimpleNamespace(
        auth_strategy="noauth2", enabled_dialects=dialects))


def test_noauth2_clouds_yaml_points_at_the_network_dialect():
    clouds = all_daemon.clouds_yaml(_conf(["openstack", "network"]),
                                    "http://h:1")["clouds"]
    assert clouds["nimbus"]["network_endpoint_override"] == \
        "http://h:1/network"
    clouds = all_daemon.clouds_yaml(_conf(["openstack"]), "http://h:1")
    assert "network_endpoint_override" not in clouds["clouds"]["nimbus"]
