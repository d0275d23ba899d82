"""The compute API refuses an action the host's hypervisor cannot do.

Two fake hosts; ``fake-2`` runs without pause, suspend, soft reboot and
console log (``[fake] disabled_capabilities``). An anti-affinity group
puts one server on each host.
"""

import time
from unittest import mock

import pytest
import requests

from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.fake import conf as fake_conf

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
LIMITED = "fake-2"
MISSING = ("pause", "suspend", "soft_reboot", "console_log")


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override(
        "disabled_capabilities", [f"{LIMITED}:{c}" for c in MISSING],
        "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def http(stack, method, path, token="demo:demo", **kw):
    return requests.request(method, stack.url + "/v2.1" + path,
                            headers={"X-Auth-Token": token}, timeout=10,
                            **kw)


def server(stack, uuid):
    resp = http(stack, "GET", f"/servers/{uuid}", token="admin:admin")
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def wait_status(stack, uuid, status, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = server(stack, uuid)
        if body["status"] == status and \
                body["OS-EXT-STS:task_state"] is None:
            return body
        time.sleep(0.05)
    raise AssertionError(f"{uuid} is {body['status']}, not {status}")


def boot_one_per_host(stack):
    """Return ``{host: server uuid}`` for both fake hosts."""
    group = http(stack, "POST", "/os-server-groups", json={
        "server_group": {"name": "spread", "policies": ["anti-affinity"]}})
    assert group.status_code == 200, group.text
    hint = {"group": group.json()["server_group"]["id"]}
    placed = {}
    for name in ("a", "b"):
        resp = http(stack, "POST", "/servers", json={
            "server": {"name": name, "imageRef": DEMO_IMAGE,
                       "flavorRef": "1"},
            "os:scheduler_hints": hint})
        assert resp.status_code == 202, resp.text
        body = wait_status(stack, resp.json()["server"]["id"], "ACTIVE")
        placed[body["OS-EXT-SRV-ATTR:host"]] = body["id"]
    assert sorted(placed) == ["fake-1", "fake-2"]
    return placed


def action(stack, uuid, body):
    return http(stack, "POST", f"/servers/{uuid}/action", json=body)


def action_names(stack, uuid):
    resp = http(stack, "GET", f"/servers/{uuid}/os-instance-actions")
    assert resp.status_code == 200, resp.text
    return sorted(a["action"] for a in resp.json()["instanceActions"])


def refused_message(resp):
    assert resp.status_code == 409, resp.text
    fault = resp.json()["conflictingRequest"]
    assert fault["code"] == 409
    return fault["message"]


def test_action_refused_on_host_without_capability(stack):
    uuid = boot_one_per_host(stack)[LIMITED]
    driver = stack.compute(LIMITED).manager.driver
    casts = [mock.patch.object(compute_rpcapi.ComputeAPI, name)
             for name in ("pause_instance", "suspend_instance",
                          "reboot_instance", "get_console_output")]
    mocks = [patcher.start() for patcher in casts]
    try:
        pause = refused_message(action(stack, uuid, {"pause": None}))
        suspend = refused_message(action(stack, uuid, {"suspend": None}))
        soft = refused_message(action(stack, uuid, {
            "reboot": {"type": "SOFT"}}))
        console = refused_message(action(stack, uuid, {
            "os-getConsoleOutput": {}}))
    finally:
        for patcher in casts:
            patcher.stop()
    assert pause == (f"Cannot 'pause' instance {uuid}: the hypervisor of "
                     f"host {LIMITED} (fake) does not support pause.")
    assert suspend.endswith("does not support suspend.")
    assert soft.startswith(f"Cannot 'reboot' instance {uuid}")
    assert soft.endswith("does not support soft_reboot.")
    assert console.endswith("does not support console_log.")
    for cast in mocks:
        cast.assert_not_called()
    body = server(stack, uuid)
    assert (body["status"], body["OS-EXT-STS:task_state"]) == \
        ("ACTIVE", None)
    assert action_names(stack, uuid) == ["create"]
    assert driver.get_info(uuid).power_state == power_state.RUNNING


def test_capable_actions_still_work(stack):
    placed = boot_one_per_host(stack)
    resp = action(stack, placed["fake-1"], {"pause": None})
    assert resp.status_code == 202, resp.text
    wait_status(stack, placed["fake-1"], "PAUSED")
    limited = placed[LIMITED]
    resp = action(stack, limited, {"reboot": {"type": "HARD"}})
    assert resp.status_code == 202, resp.text
    wait_status(stack, limited, "ACTIVE")
    assert action_names(stack, limited) == ["create", "reboot"]
