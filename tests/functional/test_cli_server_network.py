"""``nimbus server add/remove security group``, ``server add/remove
network|port`` and ``server interface list/show`` against nimbus-all (fake
hypervisor and network plugin) with the clouds.yaml it writes."""

import openstack.config
import openstack.connection

from tests.functional.test_cli import embedded, nimbus  # noqa: F401
from tests.functional.test_cli_network import ok, one_line_error


def _connect(env):
    config = openstack.config.OpenStackConfig(
        config_files=[env["OS_CLIENT_CONFIG_FILE"]])
    return openstack.connection.Connection(
        config=config.get_one(cloud="nimbus"))


def test_server_networking_verbs(embedded):  # noqa: F811
    env = embedded
    server = ok(env, "server", "create", "--flavor", "m1.tiny", "--image",
                "demo", "vm", "--wait", "-f", "json")
    ok(env, "network", "create", "--subnet-range", "10.72.0.0/24", "extra")
    (first,) = ok(env, "server", "interface", "list", "vm", "-f", "json")
    assert first["MAC Address"].startswith("fa:16:3e:")

    # os-interface attach on a network, with a chosen address.
    added = ok(env, "server", "add", "network", "vm", "extra",
               "--fixed-ip", "10.72.0.9", "-f", "json")
    assert added["IP Addresses"] == "10.72.0.9"
    rows = ok(env, "server", "interface", "list", "vm", "-f", "json")
    assert {r["Port ID"] for r in rows} == {first["Port ID"],
                                            added["Port ID"]}
    shown = ok(env, "server", "interface", "show", "vm", added["Port ID"],
               "-f", "json")
    assert shown["Network ID"] == added["Network ID"]
    assert "10.72.0.9" in one_line_error(
        env, "server", "add", "network", "vm", "extra", "--fixed-ip",
        "10.72.0.9")
    ok(env, "server", "remove", "network", "vm", "extra")
    assert [r["Port ID"] for r in ok(env, "server", "interface", "list",
                                     "vm", "-f", "json")] == \
        [first["Port ID"]]
    assert "no NIC" in one_line_error(env, "server", "remove", "network",
                                      "vm", "extra")

    # A user's port (made through Networking v2): attached, detached, kept.
    conn = _connect(env)
    port = conn.network.create_port(network_id=added["Network ID"],
                                    name="mine")
    attached = ok(env, "server", "add", "port", "vm", "mine", "-f", "json")
    assert (attached["Port ID"], attached["MAC Address"]) == \
        (port.id, port.mac_address)
    ok(env, "server", "remove", "port", "vm", "mine")
    assert conn.network.get_port(port.id).device_id in ("", None)
    assert "nosuch" in one_line_error(env, "server", "add", "port", "vm",
                                      "nosuch")

    # Security groups (the addSecurityGroup/removeSecurityGroup actions).
    ok(env, "security", "group", "create", "web")
    ok(env, "server", "add", "security", "group", "vm", "web")
    assert ok(env, "server", "show", "vm", "-f", "json")[
        "security_groups"] == "default, web"
    assert one_line_error(env, "server", "add", "security", "group", "vm",
                          "nosuch")
    ok(env, "server", "remove", "security", "group", "vm", "web")
    assert ok(env, "server", "show", "vm", "-f", "json")[
        "security_groups"] == "default"
    assert one_line_error(env, "server", "remove", "security", "group",
                          "vm", "web")
    ok(env, "server", "delete", "--wait", server["id"])
