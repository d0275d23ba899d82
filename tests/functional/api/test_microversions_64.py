"""Compute API 2.64 through the in-process stack (fake hosts fake-1 and
fake-2) and the stock clients: a server group has one ``policy`` and
``rules`` (``max_server_per_host``, anti-affinity only) instead of the
``policies`` list and the always empty ``metadata``; the scheduler puts
at most ``max_server_per_host`` members of an anti-affinity group on a
host. Bodies are checked against the 2.64 shape of Nova's API reference,
bad ones get Nova's 400s."""

import collections
import time

import pytest

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_microversions_53 import _UUID, _object, checked
from tests.functional.api.test_volume_stock_clients import osc_json

V264 = "2.64"
IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
_POLICY = {"enum": ["affinity", "anti-affinity", "soft-affinity",
                    "soft-anti-affinity"]}
_COMMON = {"id": _UUID, "name": {"type": "string"},
           "members": {"type": "array", "items": _UUID},
           "project_id": {"type": "string"}, "user_id": {"type": "string"}}
GROUP = _object(dict(_COMMON, policy=_POLICY, rules=_object(
    {}, {"max_server_per_host": {"type": "integer", "minimum": 1}})))
GROUP_V263 = _object(dict(_COMMON, metadata=_object({}), policies={
    "type": "array", "items": _POLICY, "minItems": 1, "maxItems": 1}))


@pytest.fixture(autouse=True)
def _v264(advertise):
    advertise(64)


def _create(conn, group, version=V264):
    return conn.compute.post("/os-server-groups",
                             json={"server_group": group},
                             microversion=version)


def _group(conn, group):
    return checked(_create(conn, group), _object(
        {"server_group": GROUP}))["server_group"]


def test_policy_and_rules_replace_policies(cloud):
    member = cloud.sdk("member")
    spread = _group(member, {"name": "spread", "policy": "anti-affinity",
                             "rules": {"max_server_per_host": 2}})
    assert (spread["policy"], spread["rules"], spread["members"]) == (
        "anti-affinity", {"max_server_per_host": 2}, [])
    # a string of digits is read as its number; no rules is {}
    strung = _group(member, {"name": "s", "policy": "anti-affinity",
                             "rules": {"max_server_per_host": "3"}})
    assert strung["rules"] == {"max_server_per_host": 3}
    for policy in ("affinity", "soft-affinity", "soft-anti-affinity",
                   "anti-affinity"):
        plain = _group(member, {"name": policy, "policy": policy})
        assert (plain["policy"], plain["rules"]) == (policy, {})
    assert _group(member, {"name": "empty", "policy": "affinity",
                           "rules": {}})["rules"] == {}

    path = f"/os-server-groups/{spread['id']}"
    shown = checked(member.compute.get(path, microversion=V264),
                    _object({"server_group": GROUP}))["server_group"]
    assert shown == spread
    listed = checked(member.compute.get(
        "/os-server-groups", microversion=V264),
        _object({"server_groups": {"type": "array", "items": GROUP}}))
    assert spread in listed["server_groups"]
    # 2.63 shows the same group in the old shape
    old = checked(member.compute.get(path, microversion="2.63"),
                  _object({"server_group": GROUP_V263}))["server_group"]
    assert (old["policies"], old["metadata"]) == (["anti-affinity"], {})
    old = checked(_create(member, {"name": "o", "policies": ["affinity"]},
                          "2.63"), _object({"server_group": GROUP_V263}))
    assert old["server_group"]["policies"] == ["affinity"]


@pytest.mark.parametrize("group, version, message", [
    # Nova's own check, after the schema
    ({"name": "g", "policy": "affinity",
      "rules": {"max_server_per_host": 2}}, V264,
     "Only anti-affinity policy supports rules."),
    ({"name": "g", "policy": "soft-anti-affinity",
      "rules": {"max_server_per_host": 1}}, V264,
     "Only anti-affinity policy supports rules."),
    # 2.64's schema
    ({"name": "g", "policies": ["anti-affinity"]}, V264, "policy"),
    ({"name": "g", "policy": "anti-affinity",
      "policies": ["anti-affinity"]}, V264, "policies"),
    ({"name": "g"}, V264, "policy"),
    ({"name": "g", "policy": ["anti-affinity"]}, V264, None),
    ({"name": "g", "policy": "legacy"}, V264, None),
    ({"name": "g", "policy": "anti-affinity", "metadata": {}}, V264,
     "metadata"),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_servers": 2}}, V264, "max_servers"),
    ({"name": "g", "policy": "anti-affinity", "rules": []}, V264, None),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_server_per_host": 0}}, V264, None),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_server_per_host": "0"}}, V264, None),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_server_per_host": -1}}, V264, None),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_server_per_host": "two"}}, V264, None),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_server_per_host": 1.5}}, V264, None),
    ({"name": "g", "policy": "anti-affinity",
      "rules": {"max_server_per_host": True}}, V264, None),
    # below 2.64: neither policy nor rules
    ({"name": "g", "policy": "anti-affinity"}, "2.63", None),
    ({"name": "g", "policy": "anti-affinity",
      "policies": ["anti-affinity"]}, "2.63", "policy"),
    ({"name": "g", "policies": ["anti-affinity"],
      "rules": {"max_server_per_host": 2}}, "2.63", "rules"),
])
def test_bad_groups_are_nova_400s(cloud, group, version, message):
    conn = cloud.sdk("member")
    resp = _create(conn, group, version)
    assert resp.status_code == 400, resp.text
    fault = resp.json()["badRequest"]
    assert fault["code"] == 400
    if message:
        assert message in fault["message"], fault
    groups = conn.compute.get("/os-server-groups", microversion=V264)
    assert groups.json()["server_groups"] == []


def _boot(conn, name, group, count=1):
    resp = conn.compute.post("/servers", json={
        "server": {"name": name, "imageRef": IMAGE, "flavorRef": "1",
                   "networks": "none", "min_count": count,
                   "max_count": count},
        "os:scheduler_hints": {"group": group}}, microversion=V264)
    assert resp.status_code == 202, resp.text
    return resp


def _settled(admin, name, count, timeout=60):
    """The ``count`` servers called ``name`` (or ``name-N``), once none
    is building."""
    deadline = time.monotonic() + timeout
    while True:
        servers = [s for s in admin.compute.servers(all_projects=True)
                   if s.name == name or s.name.startswith(name + "-")]
        if len(servers) == count and all(
                s.status in ("ACTIVE", "ERROR") for s in servers):
            return servers
        assert time.monotonic() < deadline, [(s.name, s.status)
                                             for s in servers]
        time.sleep(0.2)


def test_scheduler_puts_at_most_max_server_per_host(cloud):
    member, admin = cloud.sdk("member"), cloud.sdk()
    spread = _group(member, {"name": "two-each", "policy": "anti-affinity",
                             "rules": {"max_server_per_host": 2}})
    _boot(member, "pair", spread["id"], count=4)
    placed = _settled(admin, "pair", 4)
    assert all(s.status == "ACTIVE" for s in placed)
    assert collections.Counter(s.compute_host for s in placed) == {
        "fake-1": 2, "fake-2": 2}
    # a fifth member fits nowhere: No valid host, as Nova's filter
    _boot(member, "fifth", spread["id"])
    fifth, = _settled(admin, "fifth", 1)
    assert fifth.status == "ERROR"
    assert "No valid host" in fifth.fault["message"]
    shown = member.compute.get(f"/os-server-groups/{spread['id']}",
                               microversion=V264).json()["server_group"]
    assert sorted(shown["members"]) == sorted(
        [s.id for s in placed] + [fifth.id])

    # without the rule, one per host
    single = _group(member, {"name": "one-each", "policy": "anti-affinity"})
    _boot(member, "solo", single["id"], count=2)
    solo = _settled(admin, "solo", 2)
    assert sorted(s.compute_host for s in solo) == ["fake-1", "fake-2"]
    _boot(member, "third", single["id"])
    assert _settled(admin, "third", 1)[0].status == "ERROR"


def test_stock_clients_create_groups_with_rules(cloud):
    osc = ("--os-compute-api-version", V264, "server", "group")
    created = osc_json(cloud, "member", *osc, "create", "--policy",
                       "anti-affinity", "--rule", "max_server_per_host=2",
                       "spread")
    assert created["policy"] == "anti-affinity"
    assert created["rules"] in ({"max_server_per_host": 2},
                                "max_server_per_host='2'")
    shown = cloud.sdk("member").compute.get(
        f"/os-server-groups/{created['id']}",
        microversion=V264).json()["server_group"]
    assert shown["rules"] == {"max_server_per_host": 2}
    listed = osc_json(cloud, "member", *osc, "list", "--long")
    row, = listed
    assert (row["Policy"], row["ID"]) == ("anti-affinity", created["id"])
    # --rule needs 2.64; below it the client refuses before asking
    refused = cloud.openstack("member", "--os-compute-api-version", "2.63",
                              "server", "group", "create", "--policy",
                              "anti-affinity", "--rule",
                              "max_server_per_host=2", "old", check=False)
    assert refused.returncode != 0 and "2.64" in refused.stderr

    nova = _novaclient(cloud, V264)
    group = nova.server_groups.create(
        name="nova-spread", policy="anti-affinity",
        rules={"max_server_per_host": 3})
    assert (group.policy, group.rules) == (
        "anti-affinity", {"max_server_per_host": 3})
    assert not hasattr(group, "policies")
    sdk_group = cloud.sdk().compute.get_server_group(group.id)
    assert sdk_group.policy == "anti-affinity"
