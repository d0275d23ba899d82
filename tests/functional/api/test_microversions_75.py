"""Compute API 2.75 (Nova's cleanup) through the in-process stack and
the stock clients: unknown query parameters are a 400 on the routes
Nova made strict, and server sort keys it used to ignore too; a
flavor's missing swap is 0, not ""; hypervisors asked ``with_servers``
always carry ``servers``; ``PUT /servers/{id}`` and ``rebuild`` answer
with a show's body. 2.75 is above the advertised run, so the tests
advertise it."""

import time

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_volume_stock_clients import osc_json

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
_QUERY_FAULT = "Invalid input for query parameters"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _request(conn, method, path, minor, **kwargs):
    return conn.compute.request(path, method, headers=_v(minor),
                                raise_exc=False, **kwargs)


def _wait_active(conn, sid, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        shown = conn.compute.get(f"/servers/{sid}").json()["server"]
        if shown["status"] == "ACTIVE" and \
                shown["OS-EXT-STS:task_state"] is None:
            return shown
        assert time.monotonic() < deadline, shown["status"]
        time.sleep(0.2)


def test_unknown_query_parameters_are_a_400_from_2_75(cloud, advertise):
    advertise(75)
    admin = cloud.sdk("admin")
    pid = cloud.project_ids["admin"]
    keypair = admin.compute.post("/os-keypairs", json={"keypair": {
        "name": "k75"}}, headers=_v(2)).json()["keypair"]["name"]
    sid = admin.compute.post("/servers", json={"server": {
        "name": "q75", "flavorRef": "1", "imageRef": IMAGE,
        "networks": "none"}}, headers=_v(62)).json()["server"]["id"]
    reads = ["/servers", "/servers/detail", "/flavors", "/flavors/detail",
             "/os-keypairs", f"/os-keypairs/{keypair}", "/limits",
             f"/os-quota-sets/{pid}", f"/os-quota-sets/{pid}/detail",
             "/os-server-groups", "/os-services",
             "/os-simple-tenant-usage", f"/os-simple-tenant-usage/{pid}",
             f"/servers/{sid}/os-volume_attachments"]
    for path in reads:
        assert _request(admin, "GET", path + "?nosuch=1",
                        74).status_code == 200, path
        resp = _request(admin, "GET", path + "?nosuch=1", 75)
        assert resp.status_code == 400, (path, resp.text)
        assert resp.json()["badRequest"]["message"].startswith(
            _QUERY_FAULT), path
        assert "nosuch" in resp.json()["badRequest"]["message"], path
        assert _request(admin, "GET", path, 75).status_code == 200, path

    # The writes Nova made strict refuse before they change anything.
    resp = _request(admin, "PUT", f"/os-quota-sets/{pid}?nosuch=1", 75,
                    json={"quota_set": {"instances": 7}})
    assert resp.status_code == 400, resp.text
    assert _request(admin, "DELETE", f"/os-quota-sets/{pid}?nosuch=1",
                    75).status_code == 400
    assert admin.compute.get(f"/os-quota-sets/{pid}").json()[
        "quota_set"]["instances"] != 7
    assert _request(admin, "DELETE", f"/os-keypairs/{keypair}?nosuch=1",
                    75).status_code == 400
    assert _request(admin, "GET", f"/os-keypairs/{keypair}",
                    75).status_code == 200

    # What Nova names stays accepted; sort keys it used to ignore are
    # refused, and malformed values of named parameters too.
    for path in ("/servers/detail?name=q7&sort_key=display_name"
                 "&sort_dir=asc&changes-before=2030-01-01T00:00:00Z"
                 "&locked=false&tags=a&limit=5&all_tenants=1",
                 "/flavors?minRam=1&minDisk=0&sort_key=name&sort_dir=desc"
                 "&is_public=true&limit=3",
                 f"/os-keypairs?user_id={admin.current_user_id}&limit=1",
                 f"/limits?tenant_id={pid}",
                 "/os-server-groups?all_projects=true&limit=1&offset=0",
                 "/os-services?binary=nova-compute&host=fake-1"):
        resp = _request(admin, "GET", path, 75)
        assert resp.status_code == 200, (path, resp.text)
    for path in ("/servers?sort_key=id", "/servers/detail?sort_key=vcpus",
                 "/flavors?sort_key=nosuch"):
        assert _request(admin, "GET", path, 74).status_code == 200, path
    for path in ("/servers?sort_key=id", "/servers/detail?sort_key=vcpus",
                 "/flavors?sort_key=nosuch", "/flavors?sort_dir=up",
                 "/servers?limit=-1", "/servers?name=%28",
                 "/servers?changes-before=yesterday",
                 "/os-server-groups?offset=x",
                 f"/servers/{sid}/os-volume_attachments?limit=x"):
        resp = _request(admin, "GET", path, 75)
        assert resp.status_code == 400, (path, resp.text)


def test_flavor_swap_is_0_from_2_75(cloud, advertise):
    advertise(75)
    admin = cloud.sdk("admin")
    bare = admin.compute.post("/flavors", json={"flavor": {
        "name": "noswap", "ram": 64, "vcpus": 1, "disk": 1}},
        headers=_v(74)).json()["flavor"]
    assert bare["swap"] == ""
    swapped = admin.compute.post("/flavors", json={"flavor": {
        "name": "swapped", "ram": 64, "vcpus": 1, "disk": 1,
        "swap": 512}}, headers=_v(75)).json()["flavor"]
    assert swapped["swap"] == 512
    for minor, none in ((74, ""), (75, 0)):
        shown = _request(admin, "GET", f"/flavors/{bare['id']}",
                         minor).json()["flavor"]
        assert shown["swap"] == none
        listed = {f["id"]: f["swap"] for f in _request(
            admin, "GET", "/flavors/detail", minor).json()["flavors"]}
        assert (listed[bare["id"]], listed[swapped["id"]]) == (none, 512)
        described = _request(admin, "PUT", f"/flavors/{bare['id']}", minor,
                             json={"flavor": {"description": "d"}})
        assert described.json()["flavor"]["swap"] == none
    created = _request(admin, "POST", "/flavors", 75, json={"flavor": {
        "name": "noswap2", "ram": 64, "vcpus": 1, "disk": 1}})
    assert created.json()["flavor"]["swap"] == 0
    # novaclient keeps the body's value; openstackclient (openstacksdk,
    # which reads swap as an integer at every version) shows 0.
    for version, none in (("2.74", ""), ("2.75", 0)):
        assert _novaclient(cloud, version).flavors.get(
            bare["id"]).swap == none
    for name, swap in (("noswap", 0), ("swapped", 512)):
        shown = osc_json(cloud, "admin", "--os-compute-api-version", "2.75",
                         "flavor", "show", name)
        assert shown["swap"] == swap, shown


def test_hypervisors_with_servers_always_list_them_from_2_75(
        cloud, advertise):
    advertise(75)
    admin = cloud.sdk("admin")
    for minor in (74, 75):
        nodes = _request(admin, "GET", "/os-hypervisors?with_servers=true",
                         minor).json()["hypervisors"]
        detailed = _request(admin, "GET",
                            "/os-hypervisors/detail?with_servers=true",
                            minor).json()["hypervisors"]
        shown = _request(admin, "GET",
                         f"/os-hypervisors/{nodes[0]['id']}"
                         "?with_servers=true", minor).json()["hypervisor"]
        for body in nodes + detailed + [shown]:
            # no server on either host yet
            assert body.get("servers", "absent") == (
                [] if minor == 75 else "absent"), body
        # not asked: not there
        plain = _request(admin, "GET", "/os-hypervisors",
                         minor).json()["hypervisors"]
        assert all("servers" not in n for n in plain)


def test_update_and_rebuild_answer_like_show_from_2_75(cloud, advertise):
    advertise(75)
    for who in ("admin", "member"):
        conn = cloud.sdk(who)
        sid = conn.compute.post("/servers", json={"server": {
            "name": f"body-{who}", "flavorRef": "1", "imageRef": IMAGE,
            "networks": "auto", "user_data": "aGVsbG8="}},
            headers=_v(62)).json()["server"]["id"]
        _wait_active(conn, sid)
        shown = _request(conn, "GET", f"/servers/{sid}", 75).json()[
            "server"]
        old = _request(conn, "PUT", f"/servers/{sid}", 74, json={
            "server": {"name": "old"}}).json()["server"]
        assert "OS-EXT-STS:vm_state" not in old and "key_name" not in old
        new = _request(conn, "PUT", f"/servers/{sid}", 75, json={
            "server": {"name": "new"}}).json()["server"]
        assert set(new) == set(shown), set(new) ^ set(shown)
        assert new["name"] == "new"
        assert new == _request(conn, "GET", f"/servers/{sid}", 75).json()[
            "server"]
        assert ("OS-EXT-SRV-ATTR:host" in new) is (who == "admin")

        resp = _request(conn, "POST", f"/servers/{sid}/action", 75,
                        json={"rebuild": {"imageRef": IMAGE}})
        assert resp.status_code == 202, resp.text
        rebuilt = resp.json()["server"]
        expected = (set(shown) - {"OS-EXT-SRV-ATTR:user_data"}) | {
            "user_data", "adminPass"}
        assert set(rebuilt) == expected, set(rebuilt) ^ expected
        assert rebuilt["user_data"] == "aGVsbG8="
        _wait_active(conn, sid)
        older = _request(conn, "POST", f"/servers/{sid}/action", 74,
                         json={"rebuild": {"imageRef": IMAGE}}).json()[
                             "server"]
        assert "OS-EXT-STS:vm_state" not in older
        _wait_active(conn, sid)
