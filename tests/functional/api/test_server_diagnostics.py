"""GET /servers/{id}/diagnostics through the in-process stack (two fake
hosts; ``fake-2`` runs without the ``diagnostics`` capability): the
hypervisor's free-form values below 2.48, Nova's standard format from
2.48 (checked against a schema of Nova's api-ref), the admin-only
policy and Nova's 409s."""

import jsonschema
import pytest
import requests

from nimbus.api.openstack import history
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from tests.functional.api.test_capabilities import (
    action,
    boot_one_per_host,
    http,
    refused_message,
    wait_status,
)

ADMIN = "admin:admin"
V248 = {"OpenStack-API-Version": "compute 2.48"}

_INT = {"type": ["integer", "null"]}
_STR = {"type": ["string", "null"]}


def _items(fields, **types):
    return {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": list(fields),
        "properties": {f: types.get(f, _INT) for f in fields}}}


#: The 2.48 body as Nova's api-ref describes it.
SCHEMA_2_48 = {
    "type": "object", "additionalProperties": False,
    "required": ["state", "driver", "hypervisor", "hypervisor_os",
                 "uptime", "config_drive", "num_cpus", "num_nics",
                 "num_disks", "memory_details", "cpu_details",
                 "nic_details", "disk_details"],
    "properties": {
        "state": {"enum": ["pending", "running", "paused", "shutdown",
                           "crashed", "suspended"]},
        "driver": {"type": "string"},
        "hypervisor": _STR, "hypervisor_os": _STR, "uptime": _INT,
        "config_drive": {"type": "boolean"},
        "num_cpus": {"type": "integer"}, "num_nics": {"type": "integer"},
        "num_disks": {"type": "integer"},
        "memory_details": {
            "type": "object", "additionalProperties": False,
            "required": ["maximum", "used"],
            "properties": {"maximum": _INT, "used": _INT}},
        "cpu_details": _items(("id", "time", "utilisation")),
        "nic_details": _items(
            ("mac_address", "rx_octets", "rx_errors", "rx_drop",
             "rx_packets", "rx_rate", "tx_octets", "tx_errors", "tx_drop",
             "tx_packets", "tx_rate"), mac_address=_STR),
        "disk_details": _items(("read_bytes", "read_requests",
                                "write_bytes", "write_requests",
                                "errors_count")),
    },
}


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities",
                             ["fake-2:diagnostics"], "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def diagnostics(stack, uuid, token=ADMIN, headers=None):
    return requests.get(f"{stack.url}/v2.1/servers/{uuid}/diagnostics",
                        headers=dict(headers or {}, **{"X-Auth-Token": token}),
                        timeout=10)


def test_free_form_below_2_48_standard_from_2_48(stack):
    uuid = boot_one_per_host(stack)["fake-1"]
    flavor = http(stack, "GET", "/flavors/1").json()["flavor"]
    old = diagnostics(stack, uuid)
    assert old.status_code == 200, old.text
    body = old.json()
    # The fake plugin's values under Nova's libvirt keys.
    assert body["memory"] == flavor["ram"] * 1024
    assert {f"cpu{i}_time" for i in range(flavor["vcpus"])} <= set(body)
    assert {"vda_read", "vda_read_req", "vda_write", "vda_write_req",
            "vda_errors"} <= set(body)
    new = diagnostics(stack, uuid, headers=V248)
    assert new.status_code == 200, new.text
    assert new.headers["OpenStack-API-Version"] == "compute 2.48"
    body = new.json()
    jsonschema.validate(body, SCHEMA_2_48)
    assert (body["state"], body["driver"], body["config_drive"]) == \
        ("running", "fake", False)
    assert body["num_cpus"] == len(body["cpu_details"]) == flavor["vcpus"]
    assert body["num_disks"] == len(body["disk_details"]) == 1
    assert body["num_nics"] == len(body["nic_details"])
    assert body["memory_details"]["maximum"] == flavor["ram"]
    assert 0 <= body["uptime"] < 120


def test_only_administrators_and_only_running_servers(stack):
    placed = boot_one_per_host(stack)
    uuid = placed["fake-1"]
    # The owner is refused by the default policy, another project does
    # not see the server at all.
    assert diagnostics(stack, uuid, token="demo:demo").status_code == 403
    assert diagnostics(stack, uuid, token="x:other").status_code == 404
    assert diagnostics(stack, "nope").status_code == 404
    # A stopped guest: Nova's 409 naming the power state.
    assert action(stack, uuid, {"os-stop": None}).status_code == 202
    wait_status(stack, uuid, "SHUTOFF")
    message = refused_message(diagnostics(stack, uuid, headers=V248))
    assert message == (f"Cannot 'get_diagnostics' instance {uuid} while "
                       f"it is in power_state shutdown")
    # A server on no host (shelved and offloaded): Nova's "not ready".
    assert action(stack, uuid, {"shelve": None}).status_code == 202
    wait_status(stack, uuid, "SHELVED_OFFLOADED")
    assert refused_message(diagnostics(stack, uuid)) == \
        f"Instance {uuid} is not ready"
    # A host whose plugin offers no diagnostics.
    limited = placed["fake-2"]
    assert refused_message(diagnostics(stack, limited)).endswith(
        "does not support diagnostics.")


def test_stock_clients_read_both_formats(stack):
    """novaclient (what ``nova diagnostics`` calls) at 2.1 and at the
    latest version it and nimbus share, openstacksdk's
    get_server_diagnostics (2.48)."""
    from keystoneauth1 import session, token_endpoint
    from novaclient import api_versions
    from novaclient import client as nova_client
    from openstack import exceptions as sdk_exc
    uuid = boot_one_per_host(stack)["fake-1"]
    sess = session.Session(auth=token_endpoint.Token(
        stack.url + "/v2.1", ADMIN))
    old_client = nova_client.Client("2.1", session=sess)
    _resp, old = old_client.servers.diagnostics(uuid)
    assert old["memory"] > 0 and "cpu0_time" in old
    latest = api_versions.discover_version(
        old_client, api_versions.APIVersion("2.latest"))
    assert latest.get_string() == "2.%d" % history.max_version()[1]
    assert latest >= api_versions.APIVersion("2.48")
    _resp, new = nova_client.Client(latest, session=sess).servers.diagnostics(
        uuid)
    jsonschema.validate(new, SCHEMA_2_48)
    assert new["state"] == "running"
    found = stack.sdk(ADMIN).compute.get_server_diagnostics(uuid)
    assert (found.state, found.driver, found.num_cpus) == \
        ("running", "fake", len(found.cpu_details))
    assert found.memory_details == new["memory_details"]
    # The owner's client gets the policy's 403.
    with pytest.raises(sdk_exc.ForbiddenException,
                       match="os_compute_api:os-server-diagnostics"):
        stack.sdk("demo:demo").compute.get_server_diagnostics(uuid)
