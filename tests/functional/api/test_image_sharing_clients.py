"""Stock python-openstackclient editing and sharing images (Image v2
PATCH, tags, members, os_hidden), and the Glance answers of the calls
clients make by hand (415/403/409, import refused, info)."""

import json

import requests

from nimbus.api.image.patch import MEDIA_TYPE


def js(result):
    return json.loads(result.stdout)


def _names(osc, who, *extra):
    return {i["Name"] for i in js(osc(who, "image", "list", *extra, "-f",
                                      "json"))}


def test_image_set_unset_share_accept_with_openstack_cli(cloud, tmp_path):
    osc = cloud.openstack
    other = cloud.project_ids["other"]
    data = tmp_path / "disk.raw"
    data.write_bytes(b"\0" * 4096)
    image = js(osc("member", "image", "create", "--file", str(data),
                   "--disk-format", "raw", "--container-format", "bare",
                   "--private", "shareme", "-f", "json"))
    assert image["status"] == "active" and image["visibility"] == "private"

    osc("member", "image", "set", "--name", "shared-one", "--property",
        "os_distro=cirros", "--tag", "t1", "--tag", "t2", image["id"])
    shown = js(osc("member", "image", "show", image["id"], "-f", "json"))
    assert shown["name"] == "shared-one"
    assert sorted(shown["tags"]) == ["t1", "t2"]
    assert shown["properties"]["os_distro"] == "cirros"

    osc("member", "image", "unset", "--tag", "t1", "--property",
        "os_distro", image["id"])
    shown = js(osc("member", "image", "show", image["id"], "-f", "json"))
    assert shown["tags"] == ["t2"]
    assert "os_distro" not in (shown.get("properties") or {})

    osc("member", "image", "set", "--hidden", image["id"])
    assert "shared-one" not in _names(osc, "member")
    assert "shared-one" in _names(osc, "member", "--hidden")
    osc("member", "image", "set", "--unhidden", image["id"])
    assert "shared-one" in _names(osc, "member")

    # Another project neither sees nor edits the private image.
    assert "shared-one" not in _names(osc, "other")
    assert osc("other", "image", "set", "--name", "x", image["id"],
               check=False).returncode == 1
    # A reader of the owning project may not edit; only admins publish.
    assert osc("reader", "image", "set", "--name", "x", image["id"],
               check=False).returncode == 1
    public = osc("member", "image", "set", "--public", image["id"],
                 check=False)
    assert public.returncode == 1 and "403" in public.stderr

    osc("member", "image", "set", "--shared", image["id"])
    osc("member", "image", "add", "project", image["id"], other)
    members = js(osc("member", "image", "member", "list", image["id"],
                     "-f", "json"))
    assert [(m["Member ID"], m["Status"]) for m in members] == [
        (other, "pending")]
    # Pending: the member can look it up, but its list shows it only
    # once it accepts.
    assert js(osc("other", "image", "show", image["id"], "-f",
                  "json"))["name"] == "shared-one"
    assert "shared-one" not in _names(osc, "other")
    # The owner cannot accept for the member.
    assert osc("member", "image", "set", "--accept", "--project", other,
               image["id"], check=False).returncode == 1
    osc("other", "image", "set", "--accept", "--project", other,
        image["id"])
    assert "shared-one" in _names(osc, "other")
    assert js(osc("other", "image", "member", "list", image["id"], "-f",
                  "json"))[0]["Status"] == "accepted"
    # The member still may not edit the image itself.
    assert osc("other", "image", "set", "--name", "mine", image["id"],
               check=False).returncode == 1

    osc("admin", "image", "set", "--public", image["id"])
    assert js(osc("admin", "image", "show", image["id"], "-f",
                  "json"))["visibility"] == "public"
    # The owner takes it back: private, out of the member's sight.
    osc("member", "image", "set", "--private", image["id"])
    assert "shared-one" not in _names(osc, "other")
    assert osc("other", "image", "show", image["id"],
               check=False).returncode == 1


def _raw(cloud, who):
    session = requests.Session()
    session.headers["X-Auth-Token"] = cloud.token(who)
    return session


def test_patch_answers_as_glance(cloud):
    url = cloud.url + "/image/v2/images"
    member = _raw(cloud, "member")
    image = member.post(url, json={"name": "p", "disk_format": "raw",
                                   "container_format": "bare",
                                   "visibility": "private",
                                   "hw_disk_bus": "virtio"}).json()
    target = f"{url}/{image['id']}"

    def patch(ops, kind=MEDIA_TYPE):
        return member.patch(target, data=json.dumps(ops),
                            headers={"Content-Type": kind})

    assert patch([], "application/json").status_code == 415
    for ops, status, text in [
            ({"op": "add"}, 400, "JSON array"),
            ([{"op": "move", "path": "/name", "value": "x"}], 400, "add"),
            ([{"op": "add", "path": "/a/b", "value": "x"}], 400, "Nested"),
            ([{"op": "replace", "path": "/min_ram", "value": -1}], 400,
             "min_ram"),
            ([{"op": "replace", "path": "/status", "value": "active"}], 403,
             "read-only"),
            ([{"op": "replace", "path": "/deleted", "value": "x"}], 403,
             "reserved"),
            ([{"op": "remove", "path": "/name"}], 403, "may not be removed"),
            ([{"op": "replace", "path": "/nope", "value": "x"}], 409,
             "does not exist"),
            ([{"op": "remove", "path": "/nope"}], 409, "does not exist")]:
        resp = patch(ops)
        assert (resp.status_code, text in resp.text) == (status, True), \
            (ops, resp.text)
    # A refused patch changed nothing, even its valid first operation.
    resp = patch([{"op": "replace", "path": "/name", "value": "changed"},
                  {"op": "replace", "path": "/id", "value": "x"}])
    assert resp.status_code == 403
    assert member.get(target).json()["name"] == "p"

    resp = patch([{"op": "replace", "path": "/name", "value": "q"},
                  {"op": "add", "path": "/os_distro", "value": "debian"},
                  {"op": "replace", "path": "/hw_disk_bus", "value": "scsi"},
                  {"op": "add", "path": "/tags", "value": ["a"]},
                  {"op": "replace", "path": "/protected", "value": True}])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["name"], body["os_distro"], body["hw_disk_bus"],
            body["tags"], body["protected"]) == ("q", "debian", "scsi",
                                                 ["a"], True)
    assert member.delete(target).status_code == 403
    assert member.put(target + "/tags/b").status_code == 204
    assert member.delete(target + "/tags/a").status_code == 204
    assert member.delete(target + "/tags/a").status_code == 404
    assert member.get(target).json()["tags"] == ["b"]
    # Hidden: out of both APIs' lists unless asked for, still shown by id.
    assert patch([{"op": "replace", "path": "/os_hidden",
                   "value": True}]).json()["os_hidden"] is True
    compute = member.get(cloud.url + "/v2.1/images").json()["images"]
    assert image["id"] not in [i["id"] for i in compute]
    assert image["id"] not in [i["id"] for i in member.get(url).json()[
        "images"]]
    assert [i["id"] for i in member.get(url, params={
        "os_hidden": "true"}).json()["images"]] == [image["id"]]
    assert member.get(url, params={"os_hidden": "maybe"}).status_code == 400
    assert member.get(target).json()["os_hidden"] is True
    # Members belong to shared images only.
    resp = member.post(target + "/members", json={"member": "x"})
    assert resp.status_code == 403 and "shared" in resp.text

    resp = member.post(target + "/import",
                       json={"method": {"name": "web-download",
                                        "uri": "http://192.0.2.1/x.img"}})
    assert resp.status_code == 400
    assert "web-download is not valid" in resp.text
    info = member.get(cloud.url + "/image/v2/info/import").json()
    assert info["import-methods"]["value"] == []
    assert member.get(cloud.url + "/image/v2/info/stores").json()[
        "stores"][0]["default"] is True
