"""Compute API 2.65 through the in-process stack (fake plugin, hosts
fake-1 and fake-2): a live migration still ``preparing`` (the
destination's preparation takes seconds here) may be aborted from 2.65
with the stock client; below it that is Nova's 400. The abort undoes the
preparation and both claims and ends the migration ``cancelled``, the
server ACTIVE on its host with no fault."""

import json

from tests.functional.api.test_live_migration import (
    _boot,
    _migrate,
    _migrations,
    _settled,
    _usage,
    _wait,
)


def _preparing(admin, sid):
    found = [m for m in _migrations(admin, sid)
             if m["status"] == "preparing"]
    return found[0] if found else None


def test_abort_a_preparing_live_migration_from_2_65(cloud, advertise):
    advertise(65)
    # Long enough for the stock client to start on a loaded machine: the
    # abort lands while the destination prepares.
    cloud.stack.conf.set_override(
        "latency", {"pre_live_migration": "15"}, "fake")
    sid, = _boot(cloud, 1)
    before = _usage()
    admin = cloud.sdk("admin")
    assert _migrate(admin, sid, {"host": "fake-2",
                                 "block_migration": True}).status_code == 202
    migration = _wait(lambda: _preparing(admin, sid), message="preparing")
    url = f"/servers/{sid}/migrations/{migration['id']}"
    old = admin.compute.delete(url, headers={
        "OpenStack-API-Version": "compute 2.64"})
    assert old.status_code == 400, old.text
    assert "preparing" in old.json()["badRequest"]["message"]
    cloud.openstack("admin", "--os-compute-api-version", "2.65", "server",
                    "migration", "abort", sid, str(migration["id"]))
    server = _wait(lambda: _settled(admin, sid), message="aborted")
    assert (server.status, server.compute_host) == ("ACTIVE", "fake-1")
    assert server.fault is None
    assert [m["status"] for m in _migrations(admin, sid)] == ["cancelled"]
    assert _usage() == before
    assert cloud.stack.compute("fake-1").manager.driver.instance_exists(sid)
    assert not cloud.stack.compute("fake-2").manager.driver.instance_exists(
        sid)
    actions = json.loads(cloud.openstack(
        "admin", "server", "event", "list", sid, "-f", "json").stdout)
    assert "live_migration_cancel" in {a["Action"] for a in actions}
    # Ended: nothing left to abort.
    again = admin.compute.delete(url, headers={
        "OpenStack-API-Version": "compute 2.65"})
    assert again.status_code == 400, again.text
    # And the server moves afterwards as if nothing had happened.
    cloud.stack.conf.clear_override("latency", "fake")
    assert _migrate(admin, sid, {"host": "fake-2",
                                 "block_migration": True}).status_code == 202
    server = _wait(lambda: _settled(admin, sid), message="migrated")
    assert server.compute_host == "fake-2"
