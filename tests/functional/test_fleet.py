"""The compute fleet (``[all] fleet_hosts``): five virtual hosts in one
nimbus-all, each registered, heartbeating and reporting its inventory as
a compute service would, each answering ``compute.<host>``; a server
boots on one of them and is deleted; the fleet adds threads that do not
grow with its hosts."""

import threading
import time

import pytest
import requests

from nimbus.cli.daemons import all as all_daemon
from nimbus.core import context as nimbus_context
from nimbus.core import fleet, service
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.objects import compute_node
from nimbus.core.objects import service as service_obj

HOSTS = [f"fleet-{n}" for n in range(1, 6)]
DEMO_IMAGE = all_daemon.DEMO_IMAGE_ID
TOKEN = {"X-Auth-Token": "demo:demo"}


@pytest.fixture
def cloud(nimbus_conf):
    nimbus_conf.set_override("compute_hosts", [], "all")
    nimbus_conf.set_override("fleet_hosts", len(HOSTS), "all")
    before = threading.active_count()
    started = all_daemon.start_all(nimbus_conf)
    try:
        yield started, before
    finally:
        service.stop_all(started)


def _services(ctx):
    return {s.host: s for s in service_obj.ServiceList.get_all(
        ctx, binary="nimbus-compute")}


def _wait(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_every_host_registers_beats_and_reports(cloud, nimbus_conf):
    ctx = nimbus_context.get_admin_context()
    first = _services(ctx)
    assert sorted(first) == HOSTS
    nodes = {n.host for n in compute_node.ComputeNodeList.get_all(ctx)}
    assert nodes == set(HOSTS)
    # report_interval is 1 s: every host's own row counts more beats.
    _wait(lambda: all(
        s.report_count > first[h].report_count
        for h, s in _services(ctx).items()))


def test_each_host_answers_its_own_target(cloud):
    ctx = nimbus_context.get_admin_context()
    api = compute_rpcapi.ComputeAPI()
    for host in HOSTS:
        assert api.get_host_uptime(ctx, host)


def test_a_server_boots_on_a_fleet_host_and_is_deleted(cloud, nimbus_conf):
    started, _ = cloud
    url = f"http://127.0.0.1:{started[0].port}/v2.1"
    body = {"server": {"name": "f", "imageRef": DEMO_IMAGE,
                       "flavorRef": "1"}}
    sid = requests.post(url + "/servers", json=body, headers=TOKEN,
                        timeout=30).json()["server"]["id"]
    server = _wait(lambda: (lambda s: s if s["status"] != "BUILD" else None)(
        requests.get(f"{url}/servers/{sid}", headers=TOKEN,
                     timeout=30).json()["server"]))
    assert server["status"] == "ACTIVE"
    fleet_ = next(s for s in started if isinstance(s, fleet.Fleet))
    host = next(h for h, m in fleet_.managers.items()
                if m.driver.instance_exists(sid))
    assert host in HOSTS
    assert requests.delete(f"{url}/servers/{sid}", headers=TOKEN,
                           timeout=30).status_code == 204
    _wait(lambda: requests.get(f"{url}/servers/{sid}", headers=TOKEN,
                               timeout=30).status_code == 404)
    assert not fleet_.managers[host].driver.instance_exists(sid)


def test_threads_do_not_grow_with_hosts(cloud):
    _, before = cloud
    # Services of nimbus-all besides the fleet start their own; the
    # fleet's five hosts must not add a thread (or more) each.
    names = [t.name for t in threading.enumerate()]
    assert not [n for n in names if n.startswith("lifecycle-fleet")]
    assert not [n for n in names if n.startswith("periodic-nimbus-compute")]

