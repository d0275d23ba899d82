"""Compute API 2.58 through the in-process stack and the stock clients:
``GET /servers/{id}/os-instance-actions`` pages by ``limit`` and
``marker`` (a request id) and filters by ``changes-since``; actions
carry ``updated_at`` (when an event of theirs last started or finished),
the list a ``links`` next link. Answers are checked against the 2.58
shapes of Nova's API reference."""

import datetime
import time

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_microversions_53 import (
    _LINKS,
    _NULL_STR,
    _UUID,
    _object,
    checked,
)
from tests.functional.api.test_volume_stock_clients import osc_json, server

V258 = "2.58"
_ACTION_KEYS = {
    "action": {"type": "string"}, "instance_uuid": _UUID,
    "request_id": {"type": "string"}, "user_id": _NULL_STR,
    "project_id": _NULL_STR, "start_time": {"type": "string"},
    "message": _NULL_STR}
ACTIONS_OLD = _object({"instanceActions": {
    "type": "array", "items": _object(_ACTION_KEYS)}})
ACTION = _object(dict(_ACTION_KEYS, updated_at=_NULL_STR))
ACTIONS = _object({"instanceActions": {"type": "array", "items": ACTION}},
                  {"links": _LINKS})
_EVENT = _object({"event": {"type": "string"},
                  "start_time": {"type": "string"},
                  "finish_time": _NULL_STR, "result": _NULL_STR},
                 {"traceback": _NULL_STR})
ACTION_SHOW = _object({"instanceAction": _object(
    dict(_ACTION_KEYS, updated_at=_NULL_STR,
         events={"type": "array", "items": _EVENT}))})


def _get(conn, path, version=V258):
    return conn.compute.get(path, microversion=version)


def _network_changed(cloud, sid):
    """An admin's network-changed event: an action with one event."""
    resp = cloud.sdk().compute.post("/os-server-external-events", json={
        "events": [{"name": "network-changed", "server_uuid": sid}]})
    assert resp.status_code == 200, resp.text


def _actions(conn, sid, query="", version=V258, schema=ACTIONS):
    return checked(_get(conn, f"/servers/{sid}/os-instance-actions"
                              f"{query}", version), schema)


def _wait_updated(conn, sid, name, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        found = [a for a in _actions(conn, sid)["instanceActions"]
                 if a["action"] == name and a["updated_at"]]
        if found:
            return found[0]
        assert time.monotonic() < deadline, name
        time.sleep(0.2)


def test_paging_and_changes_since_of_instance_actions(cloud):
    sid = server(cloud, "paged")
    member = cloud.sdk("member")
    for _ in range(2):
        for verb in ("lock", "unlock"):
            cloud.openstack("member", "server", verb, sid)
    since = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None)
    _network_changed(cloud, sid)
    changed = _wait_updated(member, sid, "network-changed")

    everything = _actions(member, sid)
    assert "links" not in everything
    names = [a["action"] for a in everything["instanceActions"]]
    assert names == ["network-changed", "unlock", "lock", "unlock",
                     "lock", "create"]
    # Actions no event has touched have no updated_at (Nova's).
    assert [a["updated_at"] for a in everything["instanceActions"][1:]] \
        == [None] * 5
    assert changed["updated_at"] >= since.isoformat()

    # Pages of two, following the next links to the end.
    seen, query = [], "?limit=2"
    while True:
        page = _actions(member, sid, query)
        seen += page["instanceActions"]
        if "links" not in page:
            break
        link, = page["links"]
        assert link["rel"] == "next"
        assert f"marker={page['instanceActions'][-1]['request_id']}" in \
            link["href"]
        query = "?" + link["href"].split("?", 1)[1]
    assert seen == everything["instanceActions"]
    marker = everything["instanceActions"][2]["request_id"]
    after = _actions(member, sid, f"?marker={marker}&limit=10")
    assert after["instanceActions"] == everything["instanceActions"][3:]

    # changes-since: the actions an event changed at or after the time.
    recent = _actions(member, sid, f"?changes-since={since.isoformat()}Z")
    assert [a["action"] for a in recent["instanceActions"]] == [
        "network-changed"]
    later = (since + datetime.timedelta(hours=1)).isoformat()
    assert _actions(member, sid, f"?changes-since={later}")[
        "instanceActions"] == []

    # Show carries updated_at from 2.58; below, neither show nor list.
    shown = checked(_get(member, f"/servers/{sid}/os-instance-actions/"
                                 f"{changed['request_id']}"), ACTION_SHOW)
    assert shown["instanceAction"]["updated_at"] == changed["updated_at"]
    old = _actions(member, sid, "?limit=1&whatever=1", version="2.53",
                   schema=ACTIONS_OLD)
    assert len(old["instanceActions"]) == 6


def test_bad_paging_input_is_novas_400(cloud):
    sid = server(cloud, "bad-paging")
    other = server(cloud, "other-server")
    member = cloud.sdk("member")
    theirs = _actions(member, other)["instanceActions"][0]["request_id"]
    base = f"/servers/{sid}/os-instance-actions"
    for marker in ("req-nope", theirs):
        resp = _get(member, f"{base}?marker={marker}")
        assert resp.status_code == 400, resp.text
        assert resp.json() == {"badRequest": {
            "code": 400,
            "message": f"Marker {marker} could not be found."}}
    for query in ("limit=-1", "limit=two", "limit=1&limit=2",
                  "changes-since=yesterday", "changes-since=2026-13-01",
                  "marker=a&marker=b", "changes-before=2026-01-01",
                  "sort_key=created_at"):
        resp = _get(member, f"{base}?{query}")
        assert resp.status_code == 400, (query, resp.text)
        message = resp.json()["badRequest"]["message"]
        assert message.startswith("Invalid input for query parameters"), \
            message
    # Another project's server is still a 404, whatever the query.
    resp = _get(cloud.sdk("other"), f"{base}?limit=1")
    assert resp.status_code == 404, resp.text


def test_stock_clients_page_server_events(cloud):
    sid = server(cloud, "events-cli")
    for verb in ("lock", "unlock", "lock"):
        cloud.openstack("member", "server", verb, sid)
    since = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None).isoformat()
    _network_changed(cloud, sid)
    _wait_updated(cloud.sdk("member"), sid, "network-changed")
    osc = ("--os-compute-api-version", V258, "server", "event", "list")
    rows = osc_json(cloud, "member", *osc, sid)
    assert [r["Action"] for r in rows] == [
        "network-changed", "lock", "unlock", "lock", "create"]
    first = osc_json(cloud, "member", *osc, "--limit", "2", sid)
    assert first == rows[:2]
    rest = osc_json(cloud, "member", *osc, "--marker",
                    first[-1]["Request ID"], sid)
    assert rest == rows[2:]
    recent = osc_json(cloud, "member", *osc, "--changes-since", since, sid)
    assert [r["Action"] for r in recent] == ["network-changed"]
    bad = cloud.openstack("member", *osc, "--marker", "req-nope", sid,
                          check=False)
    assert bad.returncode != 0 and "could not be found" in bad.stderr

    # novaclient's instance_action.list at 2.58.
    nova = _novaclient(cloud, V258, "member", "demo")
    listed = nova.instance_action.list(sid, limit=2)
    assert [a.request_id for a in listed] == [
        r["Request ID"] for r in rows[:2]]
    listed = nova.instance_action.list(sid, marker=rows[1]["Request ID"],
                                       changes_since=since)
    assert listed == []
    listed = nova.instance_action.list(sid, changes_since=since)
    assert [a.action for a in listed] == ["network-changed"]
    assert listed[0].updated_at

    # openstacksdk's server_actions take the same query parameters.
    conn = cloud.sdk("member")
    conn.compute.default_microversion = V258
    actions = list(conn.compute.server_actions(sid, limit=2))
    assert [a.request_id for a in actions] == [
        r["Request ID"] for r in rows]
