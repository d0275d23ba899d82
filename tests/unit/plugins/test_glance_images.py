"""The glance image plugin's pieces that need no Glance: records, JSON
patches, the compute hosts' cache, and what Glance's errors become.
(tests/integration/glance runs the plugin against a real Glance.)"""

import hashlib

import pytest
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from nimbus.core import exception
from nimbus.core.interfaces import images
from nimbus.plugins.images.glance import cache, client, records

GLANCE_IMAGE = {
    "id": "0b1c8e5e-1b7c-4f7e-9f47-7f1f8d2a6a11", "name": "cirros",
    "status": "active", "disk_format": "qcow2", "container_format": "bare",
    "size": 4, "checksum": hashlib.md5(b"data").hexdigest(),
    "os_hash_algo": "sha512",
    "os_hash_value": hashlib.sha512(b"data").hexdigest(),
    "min_disk": 0, "min_ram": 0, "visibility": "shared", "owner": "p1",
    "protected": False, "os_hidden": False, "tags": ["b", "a"],
    "virtual_size": None, "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:01Z", "self": "/v2/images/x",
    "file": "/v2/images/x/file", "schema": "/v2/schemas/image",
    "stores": "fs", "os_glance_importing_to_stores": "",
    "kernel_id": "k1", "hw_disk_bus": "virtio"}


def test_a_glance_image_becomes_a_contract_record():
    record = records.from_glance(dict(GLANCE_IMAGE))
    assert set(record) == set(images._CORE_KEYS)
    assert record["properties"] == {"kernel_id": "k1",
                                    "hw_disk_bus": "virtio"}
    assert record["tags"] == ["a", "b"]
    assert (record["status"], record["owner"], record["size"]) == \
        ("active", "p1", 4)


@pytest.mark.parametrize("status", ["saving", "uploading", "importing"])
def test_images_without_their_data_yet_are_queued(status):
    record = records.from_glance(dict(GLANCE_IMAGE, status=status))
    assert record["status"] == "queued"


def test_a_new_record_goes_to_glance_with_its_properties_on_top():
    record = images.new_record({"id": GLANCE_IMAGE["id"], "name": "n",
                                "architecture": "x86_64"}, owner="p1")
    body = records.to_glance(record)
    assert body["architecture"] == "x86_64" and body["owner"] == "p1"
    assert "properties" not in body and "status" not in body
    assert "owner" not in records.to_glance(
        images.new_record({"name": "n"}, owner=None))


def test_patch_replaces_core_keys_and_adds_replaces_removes_properties():
    old = records.from_glance(dict(GLANCE_IMAGE))
    new = images.apply_update(old, {
        "name": "renamed", "properties": {"kernel_id": "k2",
                                          "os_distro": "debian"}})
    assert records.patch(old, new) == [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "remove", "path": "/hw_disk_bus"},
        {"op": "replace", "path": "/kernel_id", "value": "k2"},
        {"op": "add", "path": "/os_distro", "value": "debian"}]
    assert records.patch(old, old) == []


def test_cache_keeps_data_that_matches_glances_hash(tmp_path):
    path = cache.fetch(str(tmp_path), GLANCE_IMAGE, iter([b"da", b"ta"]))
    assert path == str(tmp_path / GLANCE_IMAGE["id"])
    assert (tmp_path / GLANCE_IMAGE["id"]).read_bytes() == b"data"
    assert cache.cached(str(tmp_path), GLANCE_IMAGE["id"]) == path
    # cached: the data is not read again
    assert cache.fetch(str(tmp_path), GLANCE_IMAGE, None) == path


def test_cache_falls_back_to_the_md5_checksum(tmp_path):
    body = dict(GLANCE_IMAGE, os_hash_algo=None, os_hash_value=None)
    assert cache.fetch(str(tmp_path), body, [b"data"])


@pytest.mark.parametrize("chunks", [[b"corrupt"], [b"da"]])
def test_cache_refuses_data_that_does_not_match(tmp_path, chunks):
    with pytest.raises(exception.ImageStoreError):
        cache.fetch(str(tmp_path), GLANCE_IMAGE, chunks)
    assert list(tmp_path.iterdir()) == []
    assert cache.cached(str(tmp_path), GLANCE_IMAGE["id"]) is None


def test_a_broken_download_leaves_nothing(tmp_path):
    def broken():
        yield b"da"
        raise ks_exc.ConnectFailure("reset")
    with pytest.raises(ks_exc.ConnectFailure):
        cache.fetch(str(tmp_path), GLANCE_IMAGE, broken())
    assert list(tmp_path.iterdir()) == []


def _http(cls, status, message="refused"):
    return cls(message=message, http_status=status, details=message)


@pytest.mark.parametrize("raised, expected", [
    (_http(sdk_exc.NotFoundException, 404), exception.ImageNotFound),
    (_http(sdk_exc.ConflictException, 409), exception.Conflict),
    (_http(sdk_exc.ForbiddenException, 403), exception.ImageForbidden),
    (_http(sdk_exc.BadRequestException, 400), exception.Invalid),
    (_http(sdk_exc.HttpException, 413), exception.ImageStoreFull),
    (_http(sdk_exc.HttpException, 500), exception.ServiceUnavailable),
    (_http(sdk_exc.HttpException, 401), exception.ServiceUnavailable),
    (ks_exc.ConnectFailure("refused"), exception.ServiceUnavailable),
    (ks_exc.EndpointNotFound(), exception.ServiceUnavailable),
    (sdk_exc.ServiceDiscoveryException("none"),
     exception.ServiceUnavailable),
])
def test_glances_errors_become_nimbus_exceptions(raised, expected):
    with pytest.raises(expected) as caught, client.translated("img"):
        raise raised
    assert caught.value.code != 500


def test_a_missing_member_is_the_members_not_found():
    with pytest.raises(exception.ImageMemberNotFound), \
            client.translated("img", "p2"):
        raise _http(sdk_exc.NotFoundException, 404)
