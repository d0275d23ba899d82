"""Compute API microversions from 2.32 through the in-process stack (fake
plugin, two hosts) and the stock clients: device tags at create (2.32),
hypervisor paging (2.33), key pair paging (2.35)."""

import datetime
import json
import time

import pytest

from tests.functional.api.conftest import PASSWORD

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _novaclient(cloud, version, user="admin", project="admin"):
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import client
    auth = v3.Password(auth_url=cloud.url + "/identity", username=user,
                       password=PASSWORD, project_name=project,
                       user_domain_name="Default",
                       project_domain_name="Default")
    return client.Client(version, session=session.Session(auth=auth))


def _wait_active(admin, sid, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = admin.compute.get_server(sid)
        if server.status in ("ACTIVE", "ERROR"):
            return server
        time.sleep(0.1)
    raise AssertionError(f"{sid} not ACTIVE in {timeout}s")


def test_device_tags_at_create_per_microversion(cloud):
    admin = cloud.sdk("admin")
    net = next(iter(admin.network.networks())).id

    def create(minor, nic_tag=None, bdm_tag=None):
        nic = {"uuid": net}
        if nic_tag is not None:
            nic["tag"] = nic_tag
        server = {"name": f"tagged-{minor}", "flavorRef": "1",
                  "imageRef": IMAGE, "networks": [nic]}
        if bdm_tag is not None:
            server["block_device_mapping_v2"] = [{
                "source_type": "image", "destination_type": "local",
                "uuid": IMAGE, "boot_index": 0, "tag": bdm_tag}]
        return admin.compute.post("/servers", json={"server": server},
                                  headers=_v(minor))

    # 2.32: both tags are accepted and the server boots.
    resp = create(32, nic_tag="nic1", bdm_tag="root")
    assert resp.status_code == 202, resp.text
    server = _wait_active(admin, resp.json()["server"]["id"])
    assert server.status == "ACTIVE"
    assert list(server.addresses) == [
        next(iter(admin.network.networks())).name]
    # 2.33: the network tag stays, the block device tag is gone (Nova's
    # bug, kept as it is until 2.42).
    assert create(33, nic_tag="nic1").status_code == 202
    resp = create(33, bdm_tag="root")
    assert resp.status_code == 400
    assert "tag" in resp.json()["badRequest"]["message"]
    # Before 2.32 neither is known.
    for nic_tag, bdm_tag in (("nic1", None), (None, "root")):
        resp = create(31, nic_tag=nic_tag, bdm_tag=bdm_tag)
        assert resp.status_code == 400, resp.text
    # Nova's tag type: no commas or slashes, at most 60 characters.
    for bad in ("a,b", "a/b", "x" * 61, ""):
        assert create(32, nic_tag=bad).status_code == 400
        assert create(32, bdm_tag=bad).status_code == 400
    names = {s.name for s in admin.compute.servers()}
    assert names == {"tagged-32", "tagged-33"}


def test_hypervisor_paging_with_novaclient_and_osc(cloud):
    nova = _novaclient(cloud, "2.33")
    every = nova.hypervisors.list()
    assert len(every) == 2
    ids = [h.id for h in every]
    assert ids == sorted(ids)
    first = nova.hypervisors.list(limit=1)
    assert [h.id for h in first] == ids[:1]
    assert [h.id for h in nova.hypervisors.list(marker=ids[0])] == ids[1:]
    assert nova.hypervisors.list(marker=ids[1], limit=5) == []
    assert [h.id for h in nova.hypervisors.list(
        detailed=False, marker=ids[0], limit=1)] == ids[1:]

    admin = cloud.sdk("admin")
    # A full page carries Nova's next link; the last page none.
    page = admin.compute.get("/os-hypervisors/detail?limit=1",
                             headers=_v(33)).json()
    assert [h["id"] for h in page["hypervisors"]] == ids[:1]
    link, = page["hypervisors_links"]
    assert link["rel"] == "next" and "/os-hypervisors/detail?" in \
        link["href"] and f"marker={ids[0]}" in link["href"]
    assert "hypervisors_links" not in admin.compute.get(
        "/os-hypervisors", headers=_v(33)).json()
    for marker in ("999999", "nonsense"):
        resp = admin.compute.get(f"/os-hypervisors?marker={marker}",
                                 headers=_v(33))
        assert resp.status_code == 400, resp.text
        assert f"marker [{marker}] not found" in \
            resp.json()["badRequest"]["message"]
    assert admin.compute.get("/os-hypervisors?limit=-1",
                             headers=_v(33)).status_code == 400
    # Before 2.33 the parameters are ignored: every hypervisor.
    old = admin.compute.get("/os-hypervisors?limit=1&marker=nonsense",
                            headers=_v(32))
    assert old.status_code == 200
    assert [h["id"] for h in old.json()["hypervisors"]] == ids

    rows = json.loads(cloud.openstack(
        "admin", "--os-compute-api-version", "2.33", "hypervisor", "list",
        "--limit", "1", "--marker", str(ids[0]), "-f", "json").stdout)
    assert [r["ID"] for r in rows] == ids[1:]


def test_keypair_paging_at_2_35(cloud):
    nova = _novaclient(cloud, "2.35", user="member", project="demo")
    for name in ("kc", "ka", "kb"):
        nova.keypairs.create(name)
    assert [k.name for k in nova.keypairs.list()] == ["ka", "kb", "kc"]
    assert [k.name for k in nova.keypairs.list(limit=2)] == ["ka", "kb"]
    assert [k.name for k in nova.keypairs.list(marker="ka", limit=1)] == \
        ["kb"]
    assert nova.keypairs.list(marker="kc") == []

    member = cloud.sdk("member")
    page = member.compute.get("/os-keypairs?limit=2", headers=_v(35)).json()
    link, = page["keypairs_links"]
    assert "/os-keypairs?" in link["href"] and "marker=kb" in link["href"]
    resp = member.compute.get("/os-keypairs?marker=missing",
                              headers=_v(35))
    assert resp.status_code == 400
    assert "marker [missing] not found" in \
        resp.json()["badRequest"]["message"]
    # Another user's key is no marker of this user's list.
    other = cloud.sdk("other")
    assert other.compute.get("/os-keypairs?marker=ka",
                             headers=_v(35)).status_code == 400
    # Before 2.35 the parameters are ignored.
    old = member.compute.get("/os-keypairs?limit=1&marker=missing",
                             headers=_v(34))
    assert [k["keypair"]["name"] for k in old.json()["keypairs"]] == \
        ["ka", "kb", "kc"]


def _migrate_live(admin, sid, host, minor):
    return admin.compute.post(
        f"/servers/{sid}/action", headers=_v(minor),
        json={"os-migrateLive": {"host": host, "block_migration": "auto"}})


def _settled(admin, sid, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = admin.compute.get_server(sid)
        if server.task_state is None:
            return server
        time.sleep(0.1)
    raise AssertionError(f"{sid} still has a task after {timeout}s")


def test_live_migration_checks_after_the_202_at_2_34(cloud):
    admin = cloud.sdk("admin")
    other = {"host": "fake-2", "binary": "nimbus-compute"}
    assert admin.compute.put("/os-services/disable",
                             json=other).status_code == 200
    sid = admin.compute.create_server(name="lm", flavor_id="1",
                                      image_id=IMAGE, networks="auto").id
    assert _wait_active(admin, sid).status == "ACTIVE"
    assert admin.compute.put("/os-services/enable",
                             json=other).status_code == 200

    def migrations():
        return [m["status"] for m in admin.compute.get(
            f"/os-migrations?instance_uuid={sid}",
            headers=_v(23)).json()["migrations"]]

    # Up to 2.33 its own host is refused before anything starts.
    resp = _migrate_live(admin, sid, "fake-1", 33)
    assert resp.status_code == 400
    assert "current host" in resp.json()["badRequest"]["message"]
    assert migrations() == []
    # From 2.34 the answer comes first; the check fails in conductor:
    # the migration is an error, the server stays ACTIVE where it was
    # and its action's conductor event failed.
    assert _migrate_live(admin, sid, "fake-1", 34).status_code == 202
    server = _settled(admin, sid)
    assert (server.status, server.compute_host) == ("ACTIVE", "fake-1")
    assert migrations() == ["error"]
    actions = admin.compute.get(f"/servers/{sid}/os-instance-actions",
                                headers=_v(34)).json()["instanceActions"]
    live = [a for a in actions if a["action"] == "live-migration"]
    assert len(live) == 1
    detail = admin.compute.get(
        f"/servers/{sid}/os-instance-actions/{live[0]['request_id']}",
        headers=_v(34)).json()["instanceAction"]
    assert [e["result"] for e in detail["events"]] == ["Error"]
    # A compute host that does not exist is still a 400 at once.
    resp = _migrate_live(admin, sid, "nowhere", 34)
    assert resp.status_code == 400
    assert "nowhere could not be found" in \
        resp.json()["badRequest"]["message"]
    assert migrations() == ["error"]


def test_unknown_status_filter_is_a_400_from_2_38(cloud):
    member = cloud.sdk("member")
    sid = member.compute.create_server(name="st", flavor_id="1",
                                       image_id=IMAGE, networks="auto").id
    assert _wait_active(member, sid).status == "ACTIVE"
    for path in ("/servers", "/servers/detail"):
        resp = member.compute.get(f"{path}?status=bogus", headers=_v(38))
        assert resp.status_code == 400, resp.text
        assert "Invalid status value" in \
            resp.json()["badRequest"]["message"]
        # Below 2.38 an unknown status matches no server.
        resp = member.compute.get(f"{path}?status=bogus", headers=_v(37))
        assert (resp.status_code, resp.json()["servers"]) == (200, [])
        # Known ones, in any case, still filter.
        resp = member.compute.get(f"{path}?status=active", headers=_v(38))
        assert [s["id"] for s in resp.json()["servers"]] == [sid]
    # novaclient passes the filter through (OSC checks it itself).
    from novaclient import exceptions
    nova = _novaclient(cloud, "2.38", user="member", project="demo")
    with pytest.raises(exceptions.BadRequest, match="Invalid status value"):
        nova.servers.list(search_opts={"status": "bogus"})
    assert [s.id for s in _novaclient(
        cloud, "2.37", user="member", project="demo").servers.list(
        search_opts={"status": "bogus"})] == []


def test_limits_lose_max_image_meta_at_2_39(cloud):
    member = cloud.sdk("member")

    def absolute(minor):
        resp = member.compute.get("/limits", headers=_v(minor))
        assert resp.status_code == 200, resp.text
        return resp.json()["limits"]["absolute"]

    assert absolute(38)["maxImageMeta"] == 128
    at_39 = absolute(39)
    assert "maxImageMeta" not in at_39
    assert at_39["maxServerMeta"] == absolute(38)["maxServerMeta"]
    # novaclient shows what the API gives at each version.
    names = {limit.name for limit in _novaclient(
        cloud, "2.39", user="member", project="demo").limits.get().absolute}
    assert "maxImageMeta" not in names and "maxServerMeta" in names


def test_tenant_usage_paging_at_2_40(cloud):
    member = cloud.sdk("member")
    ids = [member.compute.create_server(name=f"u{i}", flavor_id="1",
                                        image_id=IMAGE, networks="auto").id
           for i in range(3)]
    for sid in ids:
        assert _wait_active(member, sid).status == "ACTIVE"
    admin = cloud.sdk("admin")
    demo = cloud.project_ids["demo"]
    period = "start=2000-01-01T00:00:00"

    def servers(body):
        return [s["instance_id"] for s in body["server_usages"]]

    whole = admin.compute.get(f"/os-simple-tenant-usage/{demo}?{period}",
                              headers=_v(40)).json()
    order = servers(whole["tenant_usage"])
    assert sorted(order) == sorted(ids)
    assert "tenant_usage_links" not in whole
    page = admin.compute.get(
        f"/os-simple-tenant-usage/{demo}?{period}&limit=2",
        headers=_v(40)).json()
    assert servers(page["tenant_usage"]) == order[:2]
    link, = page["tenant_usage_links"]
    assert f"/os-simple-tenant-usage/{demo}?" in link["href"] and \
        f"marker={order[1]}" in link["href"]
    rest = admin.compute.get(
        f"/os-simple-tenant-usage/{demo}?{period}&marker={order[1]}",
        headers=_v(40)).json()
    assert servers(rest["tenant_usage"]) == order[2:]
    listed = admin.compute.get(
        f"/os-simple-tenant-usage?{period}&detailed=1&limit=1",
        headers=_v(40)).json()
    usage, = listed["tenant_usages"]
    assert servers(usage) == order[:1]
    assert "/os-simple-tenant-usage?" in \
        listed["tenant_usages_links"][0]["href"]
    resp = admin.compute.get(f"/os-simple-tenant-usage?marker={IMAGE}",
                             headers=_v(40))
    assert resp.status_code == 400
    assert f"marker [{IMAGE}] not found" in \
        resp.json()["badRequest"]["message"]
    # Below 2.40 the parameters are ignored: every server.
    old = admin.compute.get(
        f"/os-simple-tenant-usage/{demo}?{period}&limit=1&marker=x",
        headers=_v(39)).json()
    assert servers(old["tenant_usage"]) == order
    # novaclient pages through with the links at 2.40.
    nova = _novaclient(cloud, "2.40")
    got = nova.usage.get(demo, datetime.datetime(2000, 1, 1),
                         datetime.datetime.utcnow())
    assert sorted(s["instance_id"] for s in got.server_usages) == \
        sorted(ids)


def test_aggregates_carry_a_uuid_from_2_41(cloud):
    nova = _novaclient(cloud, "2.41")
    agg = nova.aggregates.create("agg41", None)
    assert len(agg.uuid) == 36
    admin = cloud.sdk("admin")
    for minor, has in ((41, True), (40, False), (1, False)):
        shown = admin.compute.get(f"/os-aggregates/{agg.id}",
                                  headers=_v(minor)).json()["aggregate"]
        assert ("uuid" in shown) is has
        listed, = admin.compute.get("/os-aggregates",
                                    headers=_v(minor)).json()["aggregates"]
        assert ("uuid" in listed) is has
        if has:
            assert shown["uuid"] == listed["uuid"] == agg.uuid
    added = admin.compute.post(
        f"/os-aggregates/{agg.id}/action", headers=_v(41),
        json={"add_host": {"host": "fake-1"}}).json()["aggregate"]
    assert added["uuid"] == agg.uuid and added["hosts"] == ["fake-1"]


def test_device_tags_are_back_at_2_42(cloud):
    admin = cloud.sdk("admin")
    net = next(iter(admin.network.networks())).id

    def create(minor, name):
        return admin.compute.post("/servers", headers=_v(minor), json={
            "server": {"name": name, "flavorRef": "1", "imageRef": IMAGE,
                       "networks": [{"uuid": net, "tag": "nic1"}],
                       "block_device_mapping_v2": [{
                           "source_type": "image",
                           "destination_type": "local", "uuid": IMAGE,
                           "boot_index": 0, "tag": "root"}]}})

    # 2.37-2.41 know neither tag (Nova lost them); 2.42 both.
    for minor in (37, 41):
        resp = create(minor, f"t{minor}")
        assert resp.status_code == 400, resp.text
        assert "'tag' was unexpected" in resp.json()["badRequest"]["message"]
    resp = create(42, "t42")
    assert resp.status_code == 202, resp.text
    assert _wait_active(admin, resp.json()["server"]["id"]).status == \
        "ACTIVE"
    assert [s.name for s in admin.compute.servers()] == ["t42"]


def test_os_hosts_is_gone_at_2_43(cloud):
    admin = cloud.sdk("admin")
    for path in ("/os-hosts", "/os-hosts/fake-1"):
        resp = admin.compute.get(path, headers=_v(43))
        assert resp.status_code == 404, resp.text
        assert resp.json()["itemNotFound"]["code"] == 404
    # What os-hosts showed is in os-services and os-hypervisors.
    hosts = {s["host"] for s in admin.compute.get(
        "/os-services", headers=_v(43)).json()["services"]}
    assert {"fake-1", "fake-2"} <= hosts
