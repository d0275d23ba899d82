"""Every route, as admin, member, reader and a member of another
project: each caller gets exactly what the default policy allows, and
no cross-project read or write succeeds."""

import requests

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
CALLERS = ("admin", "member", "reader", "other")
SERVER = {"server": {"name": "p", "imageRef": DEMO_IMAGE,
                     "flavorRef": "1"}}


def codes(admin, member, reader, other):
    return dict(zip(CALLERS, (admin, member, reader, other), strict=True))


ALL_OK = codes(200, 200, 200, 200)
ADMIN_ONLY = codes(200, 403, 403, 403)
OWNER_READ = codes(200, 200, 200, 404)
OWNER_WRITE = codes(200, 200, 403, 404)
ACTION_WRITE = codes(202, 202, 403, 404)


def matrix(ids):
    s = f"/v2.1/servers/{ids['server']}"
    act = s + "/action"
    return [
        ("GET", "/v2.1/servers", None, ALL_OK),
        ("GET", "/v2.1/servers/detail", None, ALL_OK),
        ("POST", "/v2.1/servers", SERVER, codes(202, 202, 403, 202)),
        ("GET", s, None, OWNER_READ),
        ("PUT", s, {"server": {"name": "renamed"}}, OWNER_WRITE),
        ("POST", act, {"lock": None}, ACTION_WRITE),
        ("POST", act, {"unlock": None}, ACTION_WRITE),
        ("POST", act, {"os-getConsoleOutput": {}}, OWNER_WRITE),
        ("POST", act, {"os-resetState": {"state": "active"}},
         codes(202, 403, 403, 404)),
        ("GET", s + "/metadata", None, OWNER_READ),
        ("POST", s + "/metadata", {"metadata": {"k": "v"}}, OWNER_WRITE),
        ("PUT", s + "/metadata/k", {"meta": {"k": "w"}}, OWNER_WRITE),
        ("GET", s + "/metadata/k", None, OWNER_READ),
        ("GET", s + "/ips", None, OWNER_READ),
        ("GET", s + "/os-instance-actions", None, OWNER_READ),
        ("GET", "/v2.1/flavors", None, ALL_OK),
        ("GET", "/v2.1/flavors/detail", None, ALL_OK),
        ("GET", "/v2.1/flavors/1", None, ALL_OK),
        ("GET", "/v2.1/flavors/1/os-extra_specs", None, ALL_OK),
        ("POST", "/v2.1/flavors/1/os-extra_specs",
         {"extra_specs": {"a": "b"}}, ADMIN_ONLY),
        ("POST", "/v2.1/flavors", {"flavor": {
            "name": "f", "ram": 64, "vcpus": 1, "disk": 1}}, ADMIN_ONLY),
        ("GET", "/v2.1/flavors/priv/os-flavor-access", None, ADMIN_ONLY),
        ("POST", "/v2.1/flavors/priv/action",
         {"addTenantAccess": {"tenant": "x"}}, ADMIN_ONLY),
        ("GET", "/v2.1/os-keypairs", None, ALL_OK),
        ("POST", "/v2.1/os-keypairs", {"keypair": {"name": "kp"}},
         codes(200, 200, 403, 200)),
        ("GET", "/v2.1/os-keypairs/mine", None, codes(404, 200, 404, 404)),
        ("GET", "/v2.1/limits", None, ALL_OK),
        ("GET", f"/v2.1/os-quota-sets/{ids['demo']}", None,
         codes(200, 200, 200, 403)),
        ("GET", f"/v2.1/os-quota-sets/{ids['demo']}/defaults", None,
         ALL_OK),
        ("PUT", f"/v2.1/os-quota-sets/{ids['demo']}",
         {"quota_set": {"instances": 20}}, ADMIN_ONLY),
        ("GET", "/v2.1/os-services", None, ADMIN_ONLY),
        ("PUT", "/v2.1/os-services/enable",
         {"host": "fake-1", "binary": "nimbus-compute"}, ADMIN_ONLY),
        ("GET", "/v2.1/os-hypervisors", None, ADMIN_ONLY),
        ("GET", "/v2.1/os-hypervisors/detail", None, ADMIN_ONLY),
        ("GET", "/v2.1/os-hypervisors/statistics", None, ADMIN_ONLY),
        ("GET", "/v2.1/os-availability-zone", None, ALL_OK),
        ("GET", "/v2.1/os-availability-zone/detail", None, ADMIN_ONLY),
        ("GET", "/v2.1/os-aggregates", None, ADMIN_ONLY),
        ("GET", "/v2.1/os-server-groups", None, ALL_OK),
        ("POST", "/v2.1/os-server-groups", {"server_group": {
            "name": "g", "policies": ["affinity"]}},
         codes(200, 200, 403, 200)),
        ("GET", f"/v2.1/os-server-groups/{ids['group']}", None,
         OWNER_READ),
        ("GET", "/v2.1/images", None, ALL_OK),
        ("GET", "/image/v2/images", None, ALL_OK),
        ("POST", "/image/v2/images", {"name": "i", "disk_format": "raw",
                                      "container_format": "bare"},
         codes(201, 201, 403, 201)),
        ("GET", f"/image/v2/images/{ids['image']}", None,
         codes(200, 200, 200, 404)),
        ("GET", "/identity/v3/projects", None, ADMIN_ONLY),
        ("GET", "/identity/v3/users", None, ADMIN_ONLY),
        ("GET", "/identity/v3/roles", None, ADMIN_ONLY),
        ("POST", "/identity/v3/users", {"user": {"name": "u1"}},
         codes(201, 403, 403, 403)),
    ]


def _setup(cloud, tokens):
    def call(who, method, path, body=None):
        resp = requests.request(method, cloud.url + path, json=body,
                                headers={"X-Auth-Token": tokens[who]},
                                timeout=10)
        assert resp.status_code < 300, (path, resp.text)
        return resp.json() if resp.content else None
    server = call("member", "POST", "/v2.1/servers", SERVER)["server"]
    call("member", "POST", "/v2.1/os-keypairs", {"keypair": {"name":
                                                             "mine"}})
    call("admin", "POST", "/v2.1/flavors", {"flavor": {
        "name": "priv", "id": "priv", "ram": 64, "vcpus": 1, "disk": 1,
        "os-flavor-access:is_public": False}})
    group = call("member", "POST", "/v2.1/os-server-groups", {
        "server_group": {"name": "mine", "policies": ["affinity"]}})
    image = call("member", "POST", "/image/v2/images", {
        "name": "private", "visibility": "private"})
    return {"server": server["id"], "demo": cloud.project_ids["demo"],
            "group": group["server_group"]["id"], "image": image["id"]}


def test_policy_matrix(cloud):
    tokens = {who: cloud.token(who) for who in CALLERS}
    ids = _setup(cloud, tokens)
    wrong = []
    for method, path, body, expected in matrix(ids):
        for who in CALLERS:
            resp = requests.request(method, cloud.url + path, json=body,
                                    headers={"X-Auth-Token": tokens[who]},
                                    timeout=10)
            if resp.status_code != expected[who]:
                wrong.append((method, path, who, resp.status_code,
                              expected[who], resp.text[:120]))
    assert not wrong, "\n".join(map(str, wrong))


def test_no_cross_project_listing_or_delete(cloud):
    tokens = {who: cloud.token(who) for who in CALLERS}
    ids = _setup(cloud, tokens)
    url = cloud.url + "/v2.1/servers"

    def get(who, path="/detail", **params):
        return requests.get(url + path, params=params, timeout=10,
                            headers={"X-Auth-Token": tokens[who]})
    assert ids["server"] not in get("other").text
    assert get("other", all_tenants="1").status_code == 403
    assert ids["server"] in get("admin", all_tenants="1").text
    for who, code in (("other", 404), ("reader", 403), ("member", 204)):
        resp = requests.delete(f"{url}/{ids['server']}", timeout=10,
                               headers={"X-Auth-Token": tokens[who]})
        assert resp.status_code == code, (who, resp.text)
    resp = requests.delete(
        cloud.url + f"/image/v2/images/{ids['image']}", timeout=10,
        headers={"X-Auth-Token": tokens["other"]})
    assert resp.status_code in (403, 404)
