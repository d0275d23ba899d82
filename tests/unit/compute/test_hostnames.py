"""Hostnames made from display names (Nova's rules) and what DHCP gets
of one."""

import types

from nimbus.core.compute import hostnames
from nimbus.plugins.networks.linux import gateway

UUID = "6a1f2c3d-0000-4000-8000-000000000009"


def test_made_from_the_display_name_by_nova_rules():
    made = hostnames.from_display_name
    assert made("My Server_1.b", UUID) == "my-server-1-b"
    assert made("--web--", UUID) == "web"
    assert made("web\u00e9\u4e2d!", UUID) == "web\u00e9"   # Latin-1 kept
    assert made("x" * 70, UUID) == "x" * 63
    assert made("\u4e2d\u6587", UUID) == f"Server-{UUID}"
    assert made(None, UUID) == f"Server-{UUID}"
    assert made("Many", UUID, index=1) == "many-2"
    assert made("", UUID, index=0) == f"Server-{UUID}"


def test_recorded_hostname_wins_over_the_name():
    server = types.SimpleNamespace(hostname="given", display_name="Other",
                                   uuid=UUID)
    assert hostnames.of(server) == "given"
    server.hostname = None      # recorded before hostnames were
    assert hostnames.of(server) == "other"


def test_dhcp_gets_the_first_label_of_an_fqdn():
    port = types.SimpleNamespace(mac="FA:16:3E:00:00:01",
                                 fixed_ips=["10.0.0.5"],
                                 hostname="db_1.example.com")
    assert gateway.hosts_lines([port]) == ["fa:16:3e:00:00:01,10.0.0.5,db-1"]
    port.hostname = "web-01"
    assert gateway.hosts_lines([port]) == [
        "fa:16:3e:00:00:01,10.0.0.5,web-01"]
