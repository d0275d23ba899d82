"""The local image store reads records written before contract 1.1 and
keeps members in a file of their own, across store instances (another
process, a restart)."""

import json

from oslo_config import cfg

from nimbus.core import loading
from nimbus.core.testing.images import make_context

IMAGE = "0b5e4a1c-0000-4000-8000-00000000000b"


def _store(tmp_path):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default=str(tmp_path)))
    conf([], project="nimbus-test", default_config_files=[])
    return loading.load_driver(loading.IMAGES, "local", conf)


def test_a_1_0_record_reads_with_the_1_1_keys(tmp_path):
    store = _store(tmp_path)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / f"{IMAGE}.json").write_text(json.dumps({
        "id": IMAGE, "name": "old", "status": "queued", "disk_format": "raw",
        "container_format": "bare", "size": None, "checksum": None,
        "min_disk": 0, "min_ram": 0, "visibility": "private",
        "owner": "p1", "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "properties": {"protected": "True", "os_distro": "x"}}))
    record = store.get(make_context("p1"), IMAGE)
    assert (record["protected"], record["os_hidden"], record["tags"]) == (
        True, False, [])
    assert record["properties"] == {"os_distro": "x"}


def test_members_survive_a_new_store_instance(tmp_path):
    owner, member = make_context("p1"), make_context("p2")
    _store(tmp_path).create(owner, {"id": IMAGE, "visibility": "shared"})
    _store(tmp_path).add_member(owner, IMAGE, "p2")
    _store(tmp_path).update_member(member, IMAGE, "p2", "accepted")
    listed = _store(tmp_path).list(member)
    assert [r["id"] for r in listed] == [IMAGE]
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == [
        f"{IMAGE}.json", f"{IMAGE}.members.json"]
    _store(tmp_path).delete(owner, IMAGE)
    assert list((tmp_path / "images").iterdir()) == []
