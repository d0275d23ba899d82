"""Resize (to the other host), confirm, revert and cold migration through
the stock ``openstack`` client, on two fake hosts in one process, with
the compute nodes' usage checked after every step."""

import json

import pytest

from nimbus.core import context
from nimbus.core.db import api as db

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
TINY = (1, 512, 1)      # m1.tiny: vCPU, MiB, GB
SMALL = (1, 2048, 20)   # m1.small


def _usage():
    """``{host: (vcpus, memory_mb, local_gb, running_vms)}`` claimed."""
    return {n["host"]: (n["vcpus_used"], n["memory_mb_used"],
                        n["local_gb_used"], n["running_vms"])
            for n in db.compute_nodes.get_all(context.get_admin_context())}


def _expect(**hosts):
    out = {"fake-1": (0, 0, 0, 0), "fake-2": (0, 0, 0, 0)}
    for host, flavors in hosts.items():
        host = host.replace("_", "-")
        out[host] = tuple(sum(f[i] for f in flavors) for i in range(3)) + \
            (len(flavors),)
    return out


def _show(cloud, server):
    """The server as an administrator sees it (a plain GET: the stock
    CLI is used for the actions, its start-up cost kept off the reads).
    """
    resp = cloud.sdk("admin").compute.get(f"/servers/{server}")
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


@pytest.fixture
def server(cloud):
    created = cloud.sdk("member").compute.create_server(
        name="mover", flavor_id="1", image_id=IMAGE, networks="auto")
    _wait_status(cloud, created.id, "ACTIVE")
    return created.id


def _action(cloud, who, server, body):
    return cloud.sdk(who).compute.post(f"/servers/{server}/action",
                                       json=body)


def _host(cloud, server):
    return _show(cloud, server)["OS-EXT-SRV-ATTR:host"]


def test_resize_confirm_revert_and_migrate(cloud, server):
    source = _host(cloud, server)
    target = "fake-2" if source == "fake-1" else "fake-1"
    assert _usage() == _expect(**{source: [TINY]})

    cloud.openstack("member", "server", "resize", "--flavor", "m1.small",
                    "--wait", server)
    shown = _show(cloud, server)
    assert shown["status"] == "VERIFY_RESIZE"
    assert shown["OS-EXT-SRV-ATTR:host"] == target
    assert shown["flavor"]["id"] == "2"
    # The source keeps its claim until the confirm; the target has the
    # new flavor's.
    assert _usage() == _expect(**{source: [TINY], target: [SMALL]})
    cloud.openstack("member", "server", "resize", "confirm", server)
    _wait_status(cloud, server, "ACTIVE")
    assert _usage() == _expect(**{target: [SMALL]})

    # Resize back down in root disk is refused; up again and revert.
    refused = _action(cloud, "member", server,
                      {"resize": {"flavorRef": "1"}})
    assert refused.status_code == 400 and "shrink" in refused.text
    cloud.openstack("member", "server", "resize", "--flavor", "m1.medium",
                    "--wait", server)
    assert _host(cloud, server) == source
    cloud.openstack("member", "server", "resize", "revert", server)
    _wait_status(cloud, server, "ACTIVE")
    shown = _show(cloud, server)
    assert shown["OS-EXT-SRV-ATTR:host"] == target
    assert shown["flavor"]["id"] == "2"
    assert _usage() == _expect(**{target: [SMALL]})

    # Cold migration (admin), keeps the flavor.
    assert _action(cloud, "member", server,
                   {"migrate": None}).status_code == 403
    cloud.openstack("admin", "server", "migrate", "--wait", server)
    assert _show(cloud, server)["status"] == "VERIFY_RESIZE"
    assert _host(cloud, server) == source
    assert _usage() == _expect(**{source: [SMALL], target: [SMALL]})
    cloud.openstack("admin", "server", "resize", "confirm", server)
    _wait_status(cloud, server, "ACTIVE")
    assert _usage() == _expect(**{source: [SMALL]})

    moves = json.loads(cloud.openstack(
        "admin", "server", "migration", "list", "--server", server,
        "-f", "json").stdout)
    assert sorted(m["Status"] for m in moves) == \
        ["confirmed", "confirmed", "reverted"]


def _wait_status(cloud, server, status, timeout=30):
    import time
    deadline = time.monotonic() + timeout
    while True:
        current = _show(cloud, server)["status"]
        if current == status:
            return
        assert time.monotonic() < deadline, current
        time.sleep(0.3)
