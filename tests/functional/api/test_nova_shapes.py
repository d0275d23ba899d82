"""Where nimbus's Compute API answered differently from Nova (issue
"Compute API, exact and current"): each fix seen through plain HTTP or a
stock client, as Nova answers."""

import requests

from tests.functional.api.test_compute_resources import http, wait_status
from tests.functional.test_servers_sdk import DEMO_IMAGE

ADMIN = "admin:admin"
#: Nova's base server body: what ``PUT /servers/{id}`` answers below 2.75.
BASE_KEYS = {"id", "name", "status", "tenant_id", "user_id", "metadata",
             "hostId", "image", "flavor", "created", "updated",
             "addresses", "accessIPv4", "accessIPv6", "links",
             "OS-DCF:diskConfig", "progress"}


def _boot(stack, name="vm", **extra):
    body = {"server": dict({"name": name, "imageRef": DEMO_IMAGE,
                            "flavorRef": "1"}, **extra)}
    resp = http(stack, "POST", "/servers", json=body)
    assert resp.status_code == 202, resp.text
    return resp.json()["server"]


def test_flavor_is_public_accepts_the_strings_nova_accepts(stack):
    body = {"flavor": {"name": "priv", "ram": 64, "vcpus": 1, "disk": 1,
                       "os-flavor-access:is_public": "False"}}
    resp = http(stack, "POST", "/flavors", token=ADMIN, json=body)
    assert resp.status_code == 200, resp.text
    flavor = resp.json()["flavor"]
    assert flavor["os-flavor-access:is_public"] is False
    body["flavor"].update(name="bad", **{"os-flavor-access:is_public":
                                         "maybe"})
    resp = http(stack, "POST", "/flavors", token=ADMIN, json=body)
    assert resp.status_code == 400 and "badRequest" in resp.json()
    fid = flavor["id"]
    http(stack, "POST", f"/flavors/{fid}/os-extra_specs", token=ADMIN,
         json={"extra_specs": {"k": "v"}})
    resp = http(stack, "DELETE", f"/flavors/{fid}/os-extra_specs/k",
                token=ADMIN)
    assert resp.status_code == 200


def test_server_group_has_the_2_1_shape(stack):
    resp = http(stack, "POST", "/os-server-groups", json={
        "server_group": {"name": "g", "policies": ["anti-affinity"]}})
    group = resp.json()["server_group"]
    assert set(group) == {"id", "name", "policies", "members", "metadata"}
    shown = http(stack, "GET", f"/os-server-groups/{group['id']}").json()
    assert set(shown["server_group"]) == set(group)


def test_create_update_list_as_nova_answers(stack):
    conn = stack.sdk()
    given = _boot(stack, "given", adminPass="Sw0rdfish-1",
                  accessIPv4="192.0.2.7")
    assert given["adminPass"] == "Sw0rdfish-1"
    generated = _boot(stack, "generated")["adminPass"]
    assert len(generated) == 12 and generated.isalnum()
    wait_status(conn, conn.compute.get_server(given["id"]), "ACTIVE")
    shown = http(stack, "GET", f"/servers/{given['id']}").json()["server"]
    assert shown["accessIPv4"] == "192.0.2.7"

    resp = http(stack, "PUT", f"/servers/{given['id']}", json={
        "server": {"name": "renamed", "accessIPv6": "2001:db8::7"}})
    assert resp.status_code == 200
    updated = resp.json()["server"]
    assert set(updated) == BASE_KEYS, set(updated) ^ BASE_KEYS
    assert (updated["name"], updated["accessIPv6"]) == ("renamed",
                                                        "2001:db8::7")
    for addresses in updated["addresses"].values():
        assert all(set(a) == {"version", "addr"} for a in addresses)
    bad = http(stack, "POST", "/servers", json={"server": {
        "name": "x", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "accessIPv4": "not-an-address"}})
    assert bad.status_code == 400

    assert http(stack, "GET", "/servers?limit=0").json()["servers"] == []
    assert http(stack, "GET",
                "/servers/detail?limit=0").json()["servers"] == []
    assert len(http(stack, "GET", "/servers?limit=1").json()[
        "servers"]) == 1


def test_metadata_over_the_limit_is_a_403(stack):
    server = _boot(stack)
    items = {f"k{i}": "v" for i in range(129)}
    resp = http(stack, "PUT", f"/servers/{server['id']}/metadata",
                json={"metadata": items})
    assert resp.status_code == 403, resp.text
    assert "forbidden" in resp.json()


def test_services_carry_novas_binary_names(stack):
    services = http(stack, "GET", "/os-services?binary=nova-compute",
                    token=ADMIN).json()["services"]
    assert sorted(s["host"] for s in services) == ["fake-1", "fake-2"]
    assert {s["binary"] for s in services} == {"nova-compute"}
    ours = http(stack, "GET", "/os-services?binary=nimbus-compute",
                token=ADMIN).json()["services"]
    assert [s["id"] for s in ours] == [s["id"] for s in services]
    resp = http(stack, "PUT", "/os-services/disable", token=ADMIN,
                json={"host": "fake-2", "binary": "nova-compute"})
    assert resp.json()["service"] == {"host": "fake-2", "status":
                                      "disabled", "binary": "nova-compute"}


def test_hypervisor_search_and_servers(stack):
    conn = stack.sdk()
    server = wait_status(conn, conn.compute.get_server(
        _boot(stack)["id"]), "ACTIVE")
    host = stack.sdk(ADMIN).compute.get_server(server.id).hypervisor_hostname
    found = http(stack, "GET", "/os-hypervisors/fake/search",
                 token=ADMIN).json()["hypervisors"]
    assert sorted(h["hypervisor_hostname"] for h in found) == [
        "fake-1", "fake-2"]
    assert set(found[0]) == {"id", "hypervisor_hostname", "state",
                             "status"}
    with_servers = http(stack, "GET", f"/os-hypervisors/{host}/servers",
                        token=ADMIN).json()["hypervisors"]
    assert with_servers[0]["servers"] == [{"uuid": server.id,
                                           "name": "vm"}]
    missing = http(stack, "GET", "/os-hypervisors/nowhere/search",
                   token=ADMIN)
    assert missing.status_code == 404 and "itemNotFound" in missing.json()
    assert http(stack, "GET", "/os-hypervisors/fake/search").status_code \
        == 403


def test_quota_class_default_is_every_projects_default(stack):
    resp = http(stack, "GET", "/os-quota-class-sets/default", token=ADMIN)
    assert resp.status_code == 200
    body = resp.json()["quota_class_set"]
    assert body["id"] == "default" and body["instances"] == 10
    assert "server_groups" not in body and "floating_ips" in body
    resp = http(stack, "PUT", "/os-quota-class-sets/default", token=ADMIN,
                json={"quota_class_set": {"instances": 3, "cores": 30}})
    assert resp.status_code == 200
    assert resp.json()["quota_class_set"]["instances"] == 3
    assert "id" not in resp.json()["quota_class_set"]
    limits = http(stack, "GET", "/limits").json()["limits"]["absolute"]
    assert limits["maxTotalInstances"] == 3
    assert http(stack, "GET", "/os-quota-sets/demo/defaults").json()[
        "quota_set"]["instances"] == 3
    for _ in range(3):
        _boot(stack)
    over = http(stack, "POST", "/servers", json={"server": {
        "name": "one-too-many", "imageRef": DEMO_IMAGE, "flavorRef": "1"}})
    assert over.status_code == 403
    bad = http(stack, "PUT", "/os-quota-class-sets/default", token=ADMIN,
               json={"quota_class_set": {"bogus": 1}})
    assert bad.status_code == 400
    assert http(stack, "GET",
                "/os-quota-class-sets/default").status_code == 403


def test_server_password_read_and_cleared(stack):
    """(What the guest posts: test_metadata_service.py.)"""
    conn = stack.sdk()
    server = wait_status(conn, conn.compute.get_server(
        _boot(stack)["id"]), "ACTIVE")
    path = f"/servers/{server.id}/os-server-password"
    assert http(stack, "GET", path).json() == {"password": ""}
    assert conn.compute.get_server_password(server) == ""
    assert http(stack, "DELETE", path).status_code == 204
    assert http(stack, "GET", path, token="eve:other").status_code == 404


def test_fake_console_log_is_a_boot_log(stack):
    conn = stack.sdk()
    server = wait_status(conn, conn.compute.get_server(
        _boot(stack)["id"]), "ACTIVE")
    resp = http(stack, "POST", f"/servers/{server.id}/action",
                json={"os-getConsoleOutput": {"length": 5}})
    lines = resp.json()["output"].splitlines()
    assert len(lines) == 5 and lines[-1] == "vm login:"
    full = http(stack, "POST", f"/servers/{server.id}/action",
                json={"os-getConsoleOutput": {}}).json()["output"]
    assert f"instance-id: {server.id}" in full
    assert len(full.splitlines()) > 10


def test_identity_domains_by_name(cloud):
    url = cloud.url
    headers = {"X-Auth-Token": cloud.token("admin")}
    found = requests.get(url + "/identity/v3/domains?name=Default",
                         headers=headers, timeout=10).json()["domains"]
    assert [d["id"] for d in found] == ["default"]
    none = requests.get(url + "/identity/v3/domains?name=Other",
                        headers=headers, timeout=10).json()["domains"]
    assert none == []
    shown = requests.get(url + "/identity/v3/domains/default",
                         headers=headers, timeout=10)
    assert shown.json()["domain"]["name"] == "Default"
    assert requests.get(url + "/identity/v3/domains/nope", headers=headers,
                        timeout=10).status_code == 404
    projects = requests.get(
        url + "/identity/v3/projects?name=admin&domain_id=default",
        headers=headers, timeout=10).json()["projects"]
    assert [p["name"] for p in projects] == ["admin"]
    assert requests.get(
        url + "/identity/v3/projects?domain_id=other", headers=headers,
        timeout=10).json()["projects"] == []
    member = {"X-Auth-Token": cloud.token("member")}
    assert requests.get(url + "/identity/v3/domains/default",
                        headers=member, timeout=10).status_code == 200
    assert requests.get(url + "/identity/v3/domains", headers=member,
                        timeout=10).status_code == 403
    result = cloud.openstack("admin", "domain", "show", "Default", "-f",
                             "value", "-c", "id")
    assert result.stdout.strip() == "default"
    result = cloud.openstack("admin", "project", "list", "--domain",
                             "default", "-f", "value", "-c", "Name")
    assert "admin" in result.stdout.split()


def test_2_12_and_2_13_shapes(stack):
    conn = stack.sdk()
    server = wait_status(conn, conn.compute.get_server(
        _boot(stack)["id"]), "ACTIVE")
    path = f"/servers/{server.id}/os-virtual-interfaces"
    (old,) = http(stack, "GET", path).json()["virtual_interfaces"]
    assert set(old) == {"id", "mac_address"}
    (new,) = http(stack, "GET", path, version="2.12").json()[
        "virtual_interfaces"]
    assert set(new) == {"id", "mac_address", "net_id"}
    body = {"server_group": {"name": "g13", "policies": ["affinity"]}}
    group = http(stack, "POST", "/os-server-groups", json=body,
                 version="2.13").json()["server_group"]
    assert set(group) == {"id", "name", "policies", "members", "metadata",
                          "project_id", "user_id"}
    body["server_group"]["policies"] = ["soft-affinity"]
    assert http(stack, "POST", "/os-server-groups", json=body,
                version="2.13").status_code == 400
    body["server_group"].update(policy="affinity")
    assert http(stack, "POST", "/os-server-groups", json=body,
                version="2.13").status_code == 400


def test_ip_filters(stack):
    conn = stack.sdk()
    first = wait_status(conn, conn.compute.get_server(
        _boot(stack, "one")["id"]), "ACTIVE")
    wait_status(conn, conn.compute.get_server(
        _boot(stack, "two")["id"]), "ACTIVE")
    (address,) = [a["addr"] for net in first.addresses.values()
                  for a in net]
    pattern = "^" + address.replace(".", r"\.") + "$"
    found = http(stack, "GET", "/servers", params={"ip": pattern}).json()
    assert [s["id"] for s in found["servers"]] == [first.id]
    assert len(http(stack, "GET", "/servers",
                    params={"ip": r"^10\."}).json()["servers"]) == 2
    # ip6 is a filter for non-admins from 2.5 (ignored below)
    assert len(http(stack, "GET", "/servers",
                    params={"ip6": "."}).json()["servers"]) == 2
    assert http(stack, "GET", "/servers", params={"ip6": "."},
                version="2.5").json()["servers"] == []
    assert http(stack, "GET", "/servers",
                params={"ip": "(["}).status_code == 400


def test_aggregate_create_answers_without_hosts_and_metadata(stack):
    resp = http(stack, "POST", "/os-aggregates", token=ADMIN,
                version="2.41", json={"aggregate": {"name": "agg", "availability_zone": "z"}})
    assert resp.status_code == 200, resp.text
    assert set(resp.json()["aggregate"]) == {
        "id", "uuid", "name", "availability_zone", "created_at",
        "updated_at", "deleted_at", "deleted"}
    agg_id = resp.json()["aggregate"]["id"]
    shown = http(stack, "GET", f"/os-aggregates/{agg_id}",
                 token=ADMIN).json()["aggregate"]
    assert shown["hosts"] == [] and "metadata" in shown


def test_a_servers_security_groups_are_listed_past_2_36(stack):
    """Only the proxy APIs went at 2.36: Nova still lists a server's
    groups (GET /servers/{id}/os-security-groups)."""
    server = _boot(stack, "grouped")
    conn = stack.sdk()
    wait_status(conn, conn.compute.get_server(server["id"]), "ACTIVE")
    for version in ("2.1", "2.36", "2.62"):
        resp = http(stack, "GET", f"/servers/{server['id']}/"
                    "os-security-groups", version=version)
        assert resp.status_code == 200, (version, resp.text)
        assert [g["name"] for g in resp.json()["security_groups"]] == \
            ["default"]
    gone = http(stack, "GET", "/os-security-groups", version="2.36")
    assert gone.status_code == 404
