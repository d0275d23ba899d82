"""Compute API 2.66 through the in-process stack and the stock clients:
``changes-before`` on ``GET /servers`` (and ``/detail``), a server's
``os-instance-actions`` and ``os-migrations``: what was updated at or
before the time (deleted servers included, as with ``changes-since``).
A malformed time and a ``changes-since`` after the ``changes-before``
are Nova's 400s; below 2.66 the servers' lists ignore the filter and the
paged lists refuse it (as Nova's schemas)."""

import datetime
import time

import pytest

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_microversions_53 import checked
from tests.functional.api.test_microversions_58 import (
    ACTIONS,
    _network_changed,
)
from tests.functional.api.test_microversions_59 import MIGRATIONS
from tests.functional.api.test_migrations_read import _record
from tests.functional.api.test_volume_stock_clients import osc_json, server

V266 = "2.66"
WINDOW = ("The value of changes-since must be less than or equal to "
          "changes-before.")


@pytest.fixture(autouse=True)
def _v266(advertise):
    advertise(66)


def _now():
    # the database keeps naive UTC to the microsecond; step past it
    time.sleep(0.01)
    moment = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    time.sleep(0.01)
    return moment.isoformat() + "Z"


def _later(hours=1):
    return (datetime.datetime.now(datetime.UTC).replace(tzinfo=None) +
            datetime.timedelta(hours=hours)).isoformat() + "Z"


_IDS = {"servers": "id", "instanceActions": "request_id",
        "migrations": "uuid"}


def _ids(conn, path, query, version=V266, key="servers"):
    resp = conn.compute.get(f"{path}?{query}", microversion=version)
    assert resp.status_code == 200, (query, resp.text)
    return [s[_IDS[key]] for s in resp.json()[key]]


def _bad(conn, path, query, version=V266):
    resp = conn.compute.get(f"{path}?{query}", microversion=version)
    assert resp.status_code == 400, (query, resp.text)
    fault = resp.json()["badRequest"]
    assert fault["code"] == 400
    return fault["message"]


def test_servers_changed_before(cloud):
    member = cloud.sdk("member")
    first = server(cloud, "first")
    between = _now()
    second = server(cloud, "second")
    after = _now()
    for path in ("/servers", "/servers/detail"):
        assert _ids(member, path, f"changes-before={between}") == [first]
        assert _ids(member, path, f"changes-before={after}") == [
            second, first]
        assert _ids(member, path, f"changes-since={between}&"
                                  f"changes-before={after}") == [second]
        # the same time at both ends is a window, not a 400
        assert _ids(member, path, f"changes-since={after}&"
                                  f"changes-before={after}") == []
        # below 2.66 the filter is not one (Nova drops it)
        assert _ids(member, path, f"changes-before={between}",
                    "2.65") == [second, first]
    detail = checked(member.compute.get(
        f"/servers/detail?changes-before={between}", microversion=V266),
        {"type": "object"})["servers"]
    assert [s["status"] for s in detail] == ["ACTIVE"]

    # a deleted server is in the window its deletion falls in
    cloud.openstack("member", "server", "delete", "--wait", first)
    deleted = _now()
    assert _ids(member, "/servers", f"changes-since={after}&"
                                    f"changes-before={deleted}") == [first]
    gone, = member.compute.get(
        f"/servers/detail?changes-since={after}&changes-before={deleted}",
        microversion=V266).json()["servers"]
    assert (gone["id"], gone["status"]) == (first, "DELETED")
    assert _ids(member, "/servers", "") == [second]


@pytest.mark.parametrize("path", ["/servers", "/servers/detail"])
def test_bad_server_windows_are_novas_400(cloud, path):
    member = cloud.sdk("member")
    assert _bad(member, path, "changes-before=yesterday") == \
        "Invalid filter field: changes-before."
    assert _bad(member, path, "changes-before=2026-13-01") == \
        "Invalid filter field: changes-before."
    # a time that leaves the calendar once made UTC: a 400, not a 500
    assert _bad(member, path, "changes-before=9999-12-31T23:59:59-14:00") \
        == "Invalid filter field: changes-before."
    assert _bad(member, path, f"changes-since={_later()}&"
                              f"changes-before={_now()}") == WINDOW


def test_instance_actions_changed_before(cloud):
    sid = server(cloud, "acted")
    member = cloud.sdk("member")
    path = f"/servers/{sid}/os-instance-actions"
    _network_changed(cloud, sid)
    # an action's updated_at is set once its event is recorded
    deadline = time.monotonic() + 20
    while not member.compute.get(path, microversion=V266).json()[
            "instanceActions"][0]["updated_at"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    between = _now()
    _network_changed(cloud, sid)
    deadline = time.monotonic() + 20
    while len(_ids(member, path, f"changes-since={between}",
                   key="instanceActions")) < 1:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    everything = checked(member.compute.get(path, microversion=V266),
                         ACTIONS)["instanceActions"]
    newer, older = everything[0]["request_id"], everything[1]["request_id"]
    assert [a["action"] for a in everything[:2]] == ["network-changed"] * 2

    before = checked(member.compute.get(
        f"{path}?changes-before={between}", microversion=V266), ACTIONS)
    # actions no event touched (create) have no updated_at: never listed
    assert [a["request_id"] for a in before["instanceActions"]] == [older]
    assert _ids(member, path, f"changes-since={between}&changes-before="
                              f"{_later()}", key="instanceActions") == [
        newer]
    assert _bad(member, path, f"changes-since={_later()}&changes-before="
                              f"{between}") == WINDOW
    for query in ("changes-before=yesterday",
                  "changes-before=2026-01-01&changes-before=2026-01-02"):
        assert _bad(member, path, query).startswith(
            "Invalid input for query parameters")
    # 2.58 to 2.65: an unknown parameter
    assert _bad(member, path, f"changes-before={between}", "2.65") \
        .startswith("Invalid input for query parameters")


def _wait_active(conn, sid):
    return conn.compute.wait_for_server(conn.compute.get_server(sid),
                                        interval=0.2, wait=60)


def test_migrations_changed_before(cloud):
    admin = cloud.sdk()
    sid = server(cloud, "moved")
    old = _record(sid, "confirmed")
    between = _now()
    new = _record(sid, "finished")
    assert _ids(admin, "/os-migrations", f"changes-before={between}",
                key="migrations") == [old["uuid"]]
    assert checked(admin.compute.get(
        f"/os-migrations?changes-since={between}&changes-before="
        f"{_later()}", microversion=V266), MIGRATIONS)["migrations"][0][
        "uuid"] == new["uuid"]
    assert _bad(admin, "/os-migrations", f"changes-since={_later()}&"
                                         f"changes-before={between}") == \
        WINDOW
    assert _bad(admin, "/os-migrations", "changes-before=x").startswith(
        "Invalid input for query parameters")
    assert _bad(admin, "/os-migrations", f"changes-before={between}",
                "2.65").startswith("Invalid input for query parameters")


def test_stock_clients_send_changes_before(cloud):
    first = server(cloud, "cli-first")
    between = _now()
    second = server(cloud, "cli-second")
    osc = ("--os-compute-api-version", V266)
    rows = osc_json(cloud, "member", *osc, "server", "list",
                    "--changes-before", between)
    assert [r["ID"] for r in rows] == [first]
    rows = osc_json(cloud, "member", *osc, "server", "list",
                    "--changes-since", between, "--changes-before",
                    _later())
    assert [r["ID"] for r in rows] == [second]
    refused = cloud.openstack("member", *osc, "server", "list",
                              "--changes-since", _later(),
                              "--changes-before", between, check=False)
    assert refused.returncode != 0 and WINDOW in refused.stderr

    _network_changed(cloud, second)
    member = cloud.sdk("member")
    deadline = time.monotonic() + 20
    while not member.compute.get(
            f"/servers/{second}/os-instance-actions",
            microversion=V266).json()["instanceActions"][0]["updated_at"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    events = osc_json(cloud, "member", *osc, "server", "event", "list",
                      "--changes-before", _later(), second)
    assert [r["Action"] for r in events] == ["network-changed"]
    assert osc_json(cloud, "member", *osc, "server", "event", "list",
                    "--changes-before", between, second) == []

    old = _record(first, "confirmed")
    middle = _now()
    _record(second, "finished")
    moved = osc_json(cloud, "admin", *osc, "server", "migration", "list",
                     "--changes-before", middle)
    assert [r["UUID"] for r in moved] == [old["uuid"]]

    nova = _novaclient(cloud, V266, "member", "demo")
    listed = nova.servers.list(search_opts={"changes-before": between})
    assert [s.id for s in listed] == [first]
    actions = nova.instance_action.list(second, changes_before=_later())
    assert [a.action for a in actions] == ["network-changed"]
    admin_nova = _novaclient(cloud, V266)
    assert [m.uuid for m in admin_nova.migrations.list(
        changes_before=middle)] == [old["uuid"]]
