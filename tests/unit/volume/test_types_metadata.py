"""Volume types (visibility, in-use guard, default type, backend
placement), volume and snapshot metadata, and how many database
transactions the service path opens (SQLite)."""

import collections
import concurrent.futures

import pytest
from sqlalchemy import event

from nimbus.core import exception
from nimbus.core.db import api as db
from nimbus.core.db import engine
from nimbus.core.volume import metadata as volume_metadata
from nimbus.core.volume import statuses as st
from tests.unit import workflow_fakes as wf
from tests.unit.volume.test_api import ALL_CAPS, api, ctx, report  # noqa: F401


def admin():
    return wf.admin()


def test_default_type_exists_and_volumes_get_it(api):  # noqa: F811
    (default,) = api.types.list_types(admin())
    assert default["name"] == "__DEFAULT__"
    volume = api.create_volume(ctx(), 1)
    assert (volume["volume_type"], volume["volume_type_id"]) == (
        "__DEFAULT__", default["id"])
    assert api.types.get_type(ctx(), "default")["id"] == default["id"]
    with pytest.raises(exception.InvalidInput):
        api.types.delete_type(admin(), default["id"])


def test_private_types_are_invisible_without_access(api):  # noqa: F811
    secret = api.types.create_type(admin(), "secret", is_public=False)
    other = ctx("other-project")
    assert [t["name"] for t in api.types.list_types(ctx())] == [
        "__DEFAULT__"]
    with pytest.raises(exception.VolumeTypeNotFound):
        api.types.get_type(ctx(), secret["id"])
    with pytest.raises(exception.VolumeTypeNotFound):
        api.create_volume(ctx(), 1, volume_type="secret")
    api.types.add_access(admin(), secret["id"], wf.PROJECT)
    with pytest.raises(exception.VolumeTypeAccessExists):
        api.types.add_access(admin(), secret["id"], wf.PROJECT)
    assert "secret" in [t["name"] for t in api.types.list_types(ctx())]
    assert api.create_volume(ctx(), 1, volume_type=secret["id"])[
        "volume_type"] == "secret"
    with pytest.raises(exception.VolumeTypeNotFound):
        api.create_volume(other, 1, volume_type="secret")
    assert [t["name"] for t in api.types.list_types(admin(),
                                                    is_public=False)] == [
        "secret"]
    with pytest.raises(exception.InvalidInput):
        api.types.add_access(admin(), api.types.default_type(admin())["id"],
                             wf.PROJECT)


def test_type_in_use_cannot_go_and_rename_follows(api):  # noqa: F811
    gold = api.types.create_type(admin(), "gold", "fast",
                                 extra_specs={"tier": 1})
    assert gold["extra_specs"] == {"tier": "1"}
    with pytest.raises(exception.VolumeTypeExists):
        api.types.create_type(admin(), "gold")
    volume = api.create_volume(ctx(), 1, volume_type="gold")
    with pytest.raises(exception.VolumeTypeInUse) as err:
        api.types.delete_type(admin(), gold["id"])
    assert err.value.code == 400
    api.types.update_type(admin(), gold["id"], name="platinum")
    assert api.get_volume(ctx(), volume["id"])["volume_type"] == "platinum"
    with pytest.raises(exception.VolumeTypeExists):
        api.types.update_type(admin(), gold["id"], name="__DEFAULT__")
    db.volumes.update_volume(admin(), volume["id"], {"status": st.AVAILABLE})
    api.delete_volume(ctx(), volume["id"])
    db.volumes.destroy_volume(admin(), volume["id"])
    api.types.delete_type(admin(), gold["id"])
    with pytest.raises(exception.VolumeTypeNotFound):
        api.types.get_type(admin(), gold["id"])
    # The name is free again once the type is gone.
    api.types.create_type(admin(), "platinum")


def test_extra_specs_set_and_removed(api):  # noqa: F811
    vtype = api.types.create_type(admin(), "t")
    assert api.types.set_extra_specs(admin(), vtype["id"], {"a": "1"}) == {
        "a": "1"}
    api.types.set_extra_specs(admin(), vtype["id"], {"a": "2", "b": "3"})
    assert api.types.get_extra_specs(admin(), vtype["id"]) == {"a": "2",
                                                               "b": "3"}
    api.types.delete_extra_spec(admin(), vtype["id"], "a")
    with pytest.raises(exception.VolumeTypeExtraSpecNotFound):
        api.types.delete_extra_spec(admin(), vtype["id"], "a")
    for bad in ({"": "v"}, {"k": "v" * 256}, {"k": None}, {}):
        with pytest.raises(exception.InvalidInput):
            api.types.set_extra_specs(admin(), vtype["id"], bad)


def test_backend_name_picks_the_host(api, nimbus_conf):  # noqa: F811
    big = dict(ALL_CAPS, volume_backend_name="big")
    report("vol-a", total=1000, free=1000,
           caps=dict(ALL_CAPS, volume_backend_name="fake"))
    report("vol-b", total=10, free=10, caps=big)
    api.types.create_type(admin(), "small-backend",
                          extra_specs={"volume_backend_name": "big"})
    api.types.create_type(admin(), "nowhere",
                          extra_specs={"volume_backend_name": "none"})
    assert api.create_volume(ctx(), 1)["os-vol-host-attr:host"] == "vol-a"
    placed = api.create_volume(ctx(), 1, volume_type="small-backend")
    assert placed["os-vol-host-attr:host"] == "vol-b"
    failed = api.create_volume(ctx(), 1, volume_type="nowhere")
    assert failed["status"] == st.ERROR
    assert "not backend none" in failed["fault"]


def test_volume_and_snapshot_metadata(api):  # noqa: F811
    volume = api.create_volume(ctx(), 1, metadata={"a": "1"})
    meta = api.metadata
    assert meta.update(ctx(), "volume", volume["id"], {"b": "2"}) == {
        "a": "1", "b": "2"}
    assert meta.update(ctx(), "volume", volume["id"], {"c": "3"},
                       replace=True) == {"c": "3"}
    meta.delete(ctx(), "volume", volume["id"], "c")
    with pytest.raises(exception.MetadataKeyNotFound):
        meta.delete(ctx(), "volume", volume["id"], "c")
    assert api.get_volume(ctx(), volume["id"])["metadata"] == {}
    with pytest.raises(exception.VolumeNotFound):
        meta.get(ctx("other-project"), "volume", volume["id"])
    with pytest.raises(exception.VolumeNotFound):
        meta.update(ctx("other-project"), "volume", volume["id"], {"x": "y"})
    limit = volume_metadata.MAX_ITEMS
    meta.update(ctx(), "volume", volume["id"],
                {f"k{i}": "v" for i in range(limit)})
    with pytest.raises(exception.InvalidInput):
        meta.update(ctx(), "volume", volume["id"], {"one-more": "v"})
    assert len(meta.get(ctx(), "volume", volume["id"])) == limit
    db.volumes.update_volume(admin(), volume["id"], {"status": st.AVAILABLE})
    snap = api.create_snapshot(ctx(), volume["id"], metadata={"s": "1"})
    assert meta.update(ctx(), "snapshot", snap["id"], {"t": "2"}) == {
        "s": "1", "t": "2"}
    assert api.get_snapshot(ctx(), snap["id"])["metadata"] == {"s": "1",
                                                               "t": "2"}


def test_concurrent_metadata_changes_all_stay(api):  # noqa: F811
    volume = api.create_volume(ctx(), 1)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: api.metadata.update(
            ctx(), "volume", volume["id"], {f"k{i}": str(i)}), range(16)))
    assert api.metadata.get(ctx(), "volume", volume["id"]) == {
        f"k{i}": str(i) for i in range(16)}


def test_service_path_transactions(api):  # noqa: F811
    """Create, show and delete open one transaction each on the API side
    (plus the insert), so a create+delete pair costs few connections."""
    counts = collections.Counter()

    def begin(conn):
        counts["begin"] += 1
    eng = engine.get_engine()
    event.listen(eng, "begin", begin)
    try:
        volume = api.create_volume(ctx(), 1)
        create = counts["begin"]
        db.volumes.update_volume(admin(), volume["id"],
                                 {"status": st.AVAILABLE})
        counts.clear()
        api.get_volume(ctx(), volume["id"])
        show = counts["begin"]
        counts.clear()
        api.delete_volume(ctx(), volume["id"])
        delete = counts["begin"]
    finally:
        event.remove(eng, "begin", begin)
    # Reads, insert, quota recheck (the default quotas limit volumes).
    assert (create, show, delete) == (3, 1, 1)
