"""Live migration through the whole in-process stack with the fake
plugin (two hosts, fake-1 and fake-2): the stock ``openstack`` client,
the claims on both hosts after each ending, abort and force-complete,
a drain of twenty concurrent migrations, and bad input."""

import concurrent.futures
import json
import time

from nimbus.core import context
from nimbus.core.db import api as db

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
V = {"OpenStack-API-Version": "compute 2.30"}


def _wait(predicate, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def _usage():
    """``{host: (vcpus_used, memory_mb_used, running_vms)}``."""
    return {n["host"]: (n["vcpus_used"], n["memory_mb_used"],
                        n["running_vms"])
            for n in db.compute_nodes.get_all(context.get_admin_context())}


def _boot(cloud, count, host="fake-1"):
    """``count`` servers on ``host`` (the other compute disabled)."""
    admin = cloud.sdk("admin")
    other = {"host": "fake-2" if host == "fake-1" else "fake-1",
             "binary": "nimbus-compute"}
    assert admin.compute.put("/os-services/disable",
                             json=other).status_code == 200
    try:
        ids = [admin.compute.create_server(
            name=f"lm-{i}", flavor_id="1", image_id=IMAGE, networks="auto").id
            for i in range(count)]
        _wait(lambda: all(admin.compute.get_server(i).status == "ACTIVE"
                          for i in ids), 60, "servers ACTIVE")
    finally:
        admin.compute.put("/os-services/enable", json=other)
    return ids


def _migrate(admin, sid, body, headers=V):
    return admin.compute.post(f"/servers/{sid}/action",
                              json={"os-migrateLive": body},
                              headers=headers)


def _migrations(admin, sid):
    resp = admin.compute.get(f"/os-migrations?instance_uuid={sid}",
                             headers=V)
    assert resp.status_code == 200, resp.text
    return resp.json()["migrations"]


def _settled(admin, sid):
    server = admin.compute.get_server(sid)
    return server if server.task_state is None else None


def _zone_b(cloud):
    """fake-2 in the zone ``zone-b`` (fake-1 in the default ``nova``)."""
    admin = cloud.sdk("admin")
    aggregate = admin.compute.create_aggregate(name="b",
                                               availability_zone="zone-b")
    admin.compute.add_host_to_aggregate(aggregate, "fake-2")


def _zone(cloud, sid):
    return cloud.sdk("admin").compute.get_server(sid).availability_zone


def test_live_migration_with_the_openstack_client(cloud):
    _zone_b(cloud)
    sid, = _boot(cloud, 1)
    assert _zone(cloud, sid) == "nova"
    before = _usage()
    assert before["fake-1"][2] == 1 and before["fake-2"][2] == 0
    cloud.openstack("admin", "--os-compute-api-version", "2.30", "server",
                    "migrate", "--live-migration", "--host", "fake-2",
                    "--wait", sid)
    admin = cloud.sdk("admin")
    server = admin.compute.get_server(sid)
    assert (server.status, server.compute_host) == ("ACTIVE", "fake-2")
    # the server is in its new host's zone (it is pinned to none)
    assert server.availability_zone == "zone-b"
    assert cloud.stack.compute("fake-2").manager.driver.instance_exists(sid)
    assert not cloud.stack.compute("fake-1").manager.driver.instance_exists(sid)
    after = _usage()
    assert after["fake-1"] == (0, 0, 0)
    assert after["fake-2"] == before["fake-1"]
    listed = json.loads(cloud.openstack(
        "admin", "--os-compute-api-version", "2.30", "server", "migration",
        "list", "--server", sid, "-f", "json").stdout)
    assert [(m["Status"], m["Type"]) for m in listed] == [
        ("completed", "live-migration")]
    assert listed[0]["Source Compute"] == "fake-1"
    # Back with the scheduler's choice and "auto" block migration.
    resp = _migrate(admin, sid, {"host": None, "block_migration": "auto"})
    assert resp.status_code == 202, resp.text
    server = _wait(lambda: _settled(admin, sid), message="settled")
    assert (server.compute_host, server.availability_zone) == ("fake-1",
                                                               "nova")
    assert _usage() == before
    actions = {a.action for a in admin.compute.server_actions(sid)}
    assert "live-migration" in actions


def test_drain_a_host_with_twenty_concurrent_live_migrations(cloud):
    cloud.stack.conf.set_override("latency", {"live_migration": "0.5"},
                                  "fake")
    for name in ("instances", "cores", "ram"):
        cloud.stack.conf.set_override(name, -1, "quota")
    ids = _boot(cloud, 20)
    admin = cloud.sdk("admin")

    def migrate(sid):
        return _migrate(admin, sid, {"host": None,
                                     "block_migration": "auto"}).status_code
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        assert set(pool.map(migrate, ids)) == {202}
    _wait(lambda: all(_settled(admin, i) for i in ids), 120,
          "every migration ended")
    hosts = {admin.compute.get_server(i).compute_host for i in ids}
    assert hosts == {"fake-2"}
    assert cloud.stack.compute("fake-1").manager.driver.list_instances() == []
    assert _usage()["fake-1"] == (0, 0, 0)
    assert _usage()["fake-2"][2] == 20
    statuses = {m["status"] for sid in ids for m in _migrations(admin, sid)}
    assert statuses == {"completed"}


def _running(admin, sid):
    found = [m for m in _migrations(admin, sid) if m["status"] == "running"]
    return found[0] if found else None


def test_abort_keeps_the_server_on_its_host(cloud):
    cloud.stack.conf.set_override("latency", {"live_migration": "30"},
                                  "fake")
    sid, = _boot(cloud, 1)
    before = _usage()
    admin = cloud.sdk("admin")
    assert _migrate(admin, sid, {"host": "fake-2",
                                 "block_migration": True}).status_code == 202
    migration = _wait(lambda: _running(admin, sid), message="running")
    # Claims while running: the migration holds fake-1, the server fake-2.
    assert _usage()["fake-2"][2] == 1
    url = f"/servers/{sid}/migrations/{migration['id']}"
    old = admin.compute.delete(url, headers={
        "OpenStack-API-Version": "compute 2.23"})
    assert old.status_code in (404, 405), old.text
    resp = admin.compute.delete(url, headers=V)
    assert resp.status_code == 202, resp.text
    server = _wait(lambda: _settled(admin, sid), message="aborted")
    assert (server.status, server.compute_host) == ("ACTIVE", "fake-1")
    assert [m["status"] for m in _migrations(admin, sid)] == ["cancelled"]
    assert _usage() == before
    assert not cloud.stack.compute("fake-2").manager.driver.instance_exists(sid)
    # Aborting again: not running any more.
    again = admin.compute.delete(url, headers=V)
    assert again.status_code == 400, again.text


def test_force_complete_finishes_at_once(cloud):
    cloud.stack.conf.set_override("latency", {"live_migration": "60"},
                                  "fake")
    sid, = _boot(cloud, 1)
    admin = cloud.sdk("admin")
    assert _migrate(admin, sid, {"host": None,
                                 "block_migration": "auto"}).status_code == 202
    migration = _wait(lambda: _running(admin, sid), message="running")
    started = time.monotonic()
    resp = admin.compute.post(
        f"/servers/{sid}/migrations/{migration['id']}/action",
        json={"force_complete": None}, headers=V)
    assert resp.status_code == 202, resp.text
    server = _wait(lambda: _settled(admin, sid), 30, "completed")
    assert time.monotonic() - started < 20
    assert server.compute_host == "fake-2"
    assert [m["status"] for m in _migrations(admin, sid)] == ["completed"]


def test_failed_precheck_rolls_back(cloud):
    sid, = _boot(cloud, 1)
    before = _usage()
    admin = cloud.sdk("admin")
    # Fake hosts share no storage: a migration without block copy fails
    # its pre-check; the server stays, with a fault, claims as before.
    assert _migrate(admin, sid, {"host": "fake-2",
                                 "block_migration": False}).status_code == 202
    server = _wait(lambda: _settled(admin, sid), message="rolled back")
    assert (server.status, server.compute_host) == ("ACTIVE", "fake-1")
    assert [m["status"] for m in _migrations(admin, sid)] == ["error"]
    assert _usage() == before


def test_failure_during_the_copy_rolls_back(cloud):
    cloud.stack.conf.set_override("fail_hosts", ["fake-1"], "fake")
    cloud.stack.conf.set_override("fail_ops", ["live_migration"], "fake")
    _zone_b(cloud)
    sid, = _boot(cloud, 1)
    before = _usage()
    admin = cloud.sdk("admin")
    assert _migrate(admin, sid, {"host": None,
                                 "block_migration": "auto"}).status_code == 202
    server = _wait(lambda: _settled(admin, sid), message="rolled back")
    assert (server.status, server.compute_host) == ("ACTIVE", "fake-1")
    assert [m["status"] for m in _migrations(admin, sid)] == ["error"]
    assert _usage() == before
    # still in its host's zone, not the destination's
    assert server.availability_zone == "nova"
    assert not cloud.stack.compute("fake-2").manager.driver.instance_exists(sid)


def test_bad_input_is_a_clear_4xx(cloud):
    sid, = _boot(cloud, 1)
    admin = cloud.sdk("admin")
    cases = [
        ({"host": None, "block_migration": "maybe"}, V, 400),
        ({"host": None}, V, 400),
        ({"host": None, "block_migration": "auto", "disk_over_commit":
          False}, V, 400),
        ({"host": None, "block_migration": "auto"},
         {"OpenStack-API-Version": "compute 2.24"}, 400),
        ({"host": None, "block_migration": True, "disk_over_commit": False,
          "force": True}, {"OpenStack-API-Version": "compute 2.24"}, 400),
        ({"host": "fake-1", "block_migration": "auto"}, V, 400),
        ({"host": "nowhere", "block_migration": "auto"}, V, 400),
        ({"host": "", "block_migration": "auto"}, V, 400),
    ]
    for body, headers, status in cases:
        resp = _migrate(admin, sid, body, headers)
        assert resp.status_code == status, (body, resp.text)
        assert "computeFault" not in resp.text
    member = cloud.sdk("member")
    resp = _migrate(member, sid, {"host": None, "block_migration": "auto"})
    assert resp.status_code in (403, 404), resp.text
    # 2.1 body: disk_over_commit accepted (and ignored).
    resp = _migrate(admin, sid, {"host": None, "block_migration": True,
                                 "disk_over_commit": False},
                    {"OpenStack-API-Version": "compute 2.1"})
    assert resp.status_code == 202, resp.text
    _wait(lambda: _settled(admin, sid), message="settled")
    assert _usage()["fake-1"][2] + _usage()["fake-2"][2] == 1
    unknown = admin.compute.delete(
        f"/servers/{sid}/migrations/999999", headers=V)
    assert unknown.status_code == 404, unknown.text
