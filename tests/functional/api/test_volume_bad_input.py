"""Bad input to the Block Storage dialect and to os-volume_attachments
gets a 4xx with Cinder's (Nova's) fault body, never a 5xx: malformed
JSON, wrong types, unknown ids and names, bad query parameters, bad
microversions, unsupported sources."""

import itertools
import time
import uuid

import pytest
import requests

ADMIN = {"X-Auth-Token": "admin:admin"}
DEMO = {"X-Auth-Token": "demo:demo"}
VOL = "/volume/v3"

_SERIAL = itertools.count()


def _unknown():
    """An id nothing has, the same in every collection (parallel workers
    must collect the same test ids)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"nimbus-unknown-{next(_SERIAL)}")


def fault(resp, code):
    assert resp.status_code == code, resp.text
    (name, body), = resp.json().items()
    assert body["code"] == code and body["message"], body
    return name


def call(stack, method, path, body=None, headers=None, raw=None, **params):
    headers = dict(headers or DEMO)
    kwargs = {"json": body} if raw is None else {"data": raw}
    if raw is not None:
        headers["Content-Type"] = "application/json"
    return requests.request(method, stack.url + path, params=params,
                            headers=headers, timeout=10, **kwargs)


@pytest.mark.parametrize("raw", [
    b"{not json", b"[]", b"", b'{"volume": null}', b'{"volume": "x"}',
    b'{"volume": {"size": "one"}}', b'{"volume": {"size": 0}}',
    b'{"volume": {"size": -1}}', b'{"volume": {"size": 1.5}}',
    b'{"volume": {"size": true}}', b'{"volume": {}}',
    b'{"volume": {"size": 1, "name": 5}}',
    b'{"volume": {"size": 1, "name": "' + b"n" * 256 + b'"}}',
    b'{"volume": {"size": 1, "metadata": {"k": 1}}}',
    b'{"volume": {"size": 1, "metadata": ["k"]}}',
    b'{"volume": {"size": 1, "snapshot_id": "not-a-uuid"}}',
    b'{"volume": {"size": 1, "backup_id": "' +
    str(_unknown()).encode() + b'"}}',
    b'{"volume": {"size": 1, "multiattach": "perhaps"}}',
    b'{"volume": {"size": 99999999}}',
])
def test_bad_volume_create_bodies(stack, raw):
    resp = call(stack, "POST", VOL + "/volumes", raw=raw)
    assert fault(resp, 400) == "badRequest"


def test_null_keys_as_python_openstackclient_sends_them_are_accepted(stack):
    body = {"volume": {"size": 1, "name": "nulls", "description": None,
                       "volume_type": None, "availability_zone": None,
                       "metadata": None, "imageRef": None,
                       "snapshot_id": None, "source_volid": None,
                       "consistencygroup_id": None, "backup_id": None}}
    resp = call(stack, "POST", VOL + "/volumes", body)
    assert resp.status_code == 202, resp.text
    volume = resp.json()["volume"]
    assert volume["name"] == "nulls" and volume["size"] == 1
    assert volume["attachments"] == []


@pytest.mark.parametrize("source, name", [
    ("snapshot_id", "itemNotFound"), ("source_volid", "itemNotFound"),
    ("imageRef", "itemNotFound")])
def test_missing_sources_are_404(stack, source, name):
    resp = call(stack, "POST", VOL + "/volumes",
                {"volume": {"size": 1, source: str(_unknown())}})
    assert fault(resp, 404) == name


@pytest.mark.parametrize("path", [
    VOL + "/volumes/no-such-volume", VOL + f"/volumes/{_unknown()}",
    VOL + "/snapshots/no-such-snapshot", VOL + f"/snapshots/{_unknown()}",
    VOL + f"/volumes/{_unknown()}/nothing", VOL + "/nothing",
    "/volume/v2/volumes", VOL + f"/{_unknown().hex}/volumes"])
def test_unknown_paths_and_ids_are_404(stack, path):
    assert fault(call(stack, "GET", path), 404) == "itemNotFound"


@pytest.mark.parametrize("body", [
    {"os-extend": {"new_size": "x"}}, {"os-extend": {}},
    {"os-extend": {"new_size": 0}}, {"os-bogus": {}},
    {"os-extend": {"new_size": 2}, "os-reset_status": {}}, {},
    {"os-volume_upload_image": {"disk_format": "raw"}},
    {"os-volume_upload_image": {"image_name": "i", "disk_format": "x"}},
])
def test_bad_actions_are_400(stack, body):
    volume = call(stack, "POST", VOL + "/volumes",
                  {"volume": {"size": 1}}).json()["volume"]
    resp = call(stack, "POST", f"{VOL}/volumes/{volume['id']}/action",
                body)
    assert fault(resp, 400) == "badRequest"


@pytest.mark.parametrize("params", [
    {"limit": "x"}, {"limit": "-1"}, {"sort_key": "bogus"},
    {"sort_dir": "up"}, {"sort": "name:sideways"},
    {"marker": str(_unknown())}, {"metadata": "not a dict"},
    {"bootable": "maybe"}, {"all_tenants": "perhaps"}])
def test_bad_list_parameters_are_400(stack, params):
    resp = call(stack, "GET", VOL + "/volumes/detail", **params)
    assert fault(resp, 400) == "badRequest"


@pytest.mark.parametrize("value, code", [
    ("volume 3.72", 406), ("volume 2.0", 406), ("volume 3", 400),
    ("volume x.y", 400)])
def test_bad_microversions(stack, value, code):
    resp = call(stack, "GET", VOL + "/volumes",
                headers=dict(DEMO, **{"OpenStack-API-Version": value}))
    assert resp.status_code == code, resp.text


def test_microversion_is_echoed(stack):
    resp = call(stack, "GET", VOL + "/volumes",
                headers=dict(DEMO, **{"OpenStack-API-Version":
                                      "volume 3.42"}))
    assert resp.status_code == 200
    assert resp.headers["OpenStack-API-Version"] == "volume 3.42"
    resp = call(stack, "GET", VOL + "/volumes",
                headers=dict(DEMO, **{"OpenStack-API-Version":
                                      "volume latest"}))
    assert resp.headers["OpenStack-API-Version"] == "volume 3.71"


def test_version_documents(stack):
    root = requests.get(stack.url + "/volume", timeout=5)
    assert root.status_code == 300
    v3 = requests.get(stack.url + VOL + "/", timeout=5).json()["versions"]
    assert v3[0]["version"] == "3.71" and v3[0]["min_version"] == "3.0"


@pytest.mark.parametrize("raw", [
    b"{not json", b'{"snapshot": {}}', b'{"snapshot": {"volume_id": 5}}',
    b'{"snapshot": {"volume_id": "x"}}',
    b'{"snapshot": {"volume_id": "' + str(_unknown()).encode() +
    b'", "force": "sometimes"}}'])
def test_bad_snapshot_bodies(stack, raw):
    resp = call(stack, "POST", VOL + "/snapshots", raw=raw)
    assert fault(resp, 400) == "badRequest"


def test_snapshot_of_a_missing_volume_is_404(stack):
    resp = call(stack, "POST", VOL + "/snapshots",
                {"snapshot": {"volume_id": str(_unknown())}})
    assert fault(resp, 404) == "itemNotFound"


def test_no_auth_is_401(stack):
    resp = requests.get(stack.url + VOL + "/volumes", timeout=5)
    assert fault(resp, 401) == "unauthorized"


def _server(stack):
    resp = call(stack, "POST", "/v2.1/servers", {"server": {
        "name": "bad-attach", "imageRef":
        "a0d1c0de-0000-4000-8000-000000000001", "flavorRef": "1"}})
    assert resp.status_code == 202, resp.text
    server = resp.json()["server"]["id"]
    deadline = time.monotonic() + 20
    while call(stack, "GET", f"/v2.1/servers/{server}").json()[
            "server"]["status"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return server


@pytest.mark.parametrize("raw", [
    b"{not json", b'{"volumeAttachment": {}}',
    b'{"volumeAttachment": {"volumeId": "x"}}',
    b'{"volumeAttachment": {"volumeId": "' + str(_unknown()).encode() +
    b'", "device": "vdb"}}',
    b'{"volumeAttachment": {"volumeId": "' + str(_unknown()).encode() +
    b'", "bogus": 1}}'])
def test_bad_attach_bodies(stack, raw):
    server = _server(stack)
    resp = call(stack, "POST", f"/v2.1/servers/{server}/"
                "os-volume_attachments", raw=raw)
    assert fault(resp, 400) == "badRequest"


def test_attach_detach_of_unknown_things_is_404(stack):
    server = _server(stack)
    base = f"/v2.1/servers/{server}/os-volume_attachments"
    for method, path, body in (
            ("POST", base, {"volumeAttachment": {
                "volumeId": str(_unknown())}}),
            ("GET", f"{base}/{_unknown()}", None),
            ("GET", f"{base}/not-a-volume", None),
            ("DELETE", f"{base}/{_unknown()}", None),
            ("GET", f"/v2.1/servers/{_unknown()}/os-volume_attachments",
             None)):
        assert fault(call(stack, method, path, body), 404) == \
            "itemNotFound", (method, path)


def _wait_available(stack, volume_id):
    deadline = time.monotonic() + 20
    while call(stack, "GET", f"{VOL}/volumes/{volume_id}").json()[
            "volume"]["status"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_filters_sort_and_pages(stack):
    ids = {}
    for name, bootable in (("a", False), ("b", True), ("c", False)):
        body = {"volume": {"size": 1, "name": name,
                           "metadata": {"tier": name}}}
        if bootable:
            body["volume"]["imageRef"] = \
                "a0d1c0de-0000-4000-8000-000000000001"
        ids[name] = call(stack, "POST", VOL + "/volumes",
                         body).json()["volume"]["id"]
    for volume_id in ids.values():
        _wait_available(stack, volume_id)

    def names(**params):
        resp = call(stack, "GET", VOL + "/volumes/detail", **params)
        assert resp.status_code == 200, resp.text
        return [v["name"] for v in resp.json()["volumes"]]
    assert names(sort="name:asc") == ["a", "b", "c"]
    assert names(sort_key="name", sort_dir="desc") == ["c", "b", "a"]
    assert names(bootable="true") == ["b"]
    assert names(bootable="False", sort="name:asc") == ["a", "c"]
    assert names(metadata="{'tier': 'c'}") == ["c"]
    assert names(name="b") == ["b"]
    assert names(status="available", sort="name:asc") == ["a", "b", "c"]
    first = call(stack, "GET", VOL + "/volumes", sort="name:asc",
                 limit="2").json()
    assert [v["name"] for v in first["volumes"]] == ["a", "b"]
    (link,) = first["volumes_links"]
    rest = requests.get(link["href"], headers=DEMO, timeout=10).json()
    assert [v["name"] for v in rest["volumes"]] == ["c"]
    assert names(sort="name:asc", marker=ids["a"]) == ["b", "c"]
