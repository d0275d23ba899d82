"""What EC2's DescribeInstances needs of the database API: live and
recently terminated instances in one keyset-paged query, and EC2 ids
created in bulk (SQLite here)."""

import datetime
import uuid

import pytest
from sqlalchemy import update

from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from nimbus.core.db import engine, models


def _instances(ctx, count, project="p-list", **values):
    rows = [{"uuid": str(uuid.uuid4()), "project_id": project,
             "user_id": "u", "vm_state": "active", **values}
            for _ in range(count)]
    return [r["uuid"] for r in db_api.instances.create_many(ctx, rows)]


def _page_walk(ctx, filters, limit):
    seen, marker = [], None
    while True:
        rows = db_api.instances.get_all(ctx, filters, limit=limit,
                                        marker=marker)
        seen += [r["uuid"] for r in rows]
        if len(rows) < limit:
            return seen
        marker = rows[-1]["uuid"]


def test_terminated_since_lists_live_and_recently_deleted_in_one_order(db):
    ctx = nimbus_context.get_admin_context()
    uuids = _instances(ctx, 9)
    old, recent = uuids[1], uuids[4]
    db_api.instances.destroy(ctx, old)
    db_api.instances.destroy(ctx, recent)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    with engine.writer(ctx) as session:  # terminated two hours ago
        session.execute(update(models.Instance).where(
            models.Instance.uuid == old).values(
                deleted_at=now - datetime.timedelta(hours=2)))
    since = {"project_id": "p-list",
             "terminated_since": now - datetime.timedelta(hours=1)}
    everything = [r["uuid"] for r in db_api.instances.get_all(ctx, since)]
    assert sorted(everything) == sorted(u for u in uuids if u != old)
    assert _page_walk(ctx, since, 3) == everything
    assert _page_walk(ctx, since, 4) == everything
    live = [r["uuid"] for r in db_api.instances.get_all(
        ctx, {"project_id": "p-list"})]
    assert recent not in live and len(live) == 7


def test_image_ref_filter_takes_a_list(db):
    ctx = nimbus_context.get_admin_context()
    a = _instances(ctx, 2, project="p-img", image_ref="img-a")
    b = _instances(ctx, 1, project="p-img", image_ref="img-b")
    _instances(ctx, 1, project="p-img", image_ref="img-c")

    def listed(refs):
        return sorted(r["uuid"] for r in db_api.instances.get_all(
            ctx, {"project_id": "p-img", "image_ref": refs}))
    assert listed(["img-a", "img-b"]) == sorted(a + b)
    assert listed("img-b") == b
    assert listed([]) == []


def test_ec2_ids_are_made_in_bulk_and_kept(db):
    ctx = nimbus_context.get_admin_context()
    uuids = [str(uuid.uuid4()) for _ in range(50)]
    first = db_api.ec2.ids_for(ctx, "i", uuids[:20])
    both = db_api.ec2.ids_for(ctx, "i", uuids)
    assert len(set(both.values())) == 50
    assert {u: both[u] for u in uuids[:20]} == first
    assert db_api.ec2.ids_for(ctx, "i", uuids) == both
    assert db_api.ec2.uuid_of(ctx, "i", both[uuids[33]]) == uuids[33]
    assert db_api.ec2.id_for(ctx, "i", uuids[7]) == both[uuids[7]]


def test_many_ec2_ids_back_to_uuids(db):
    from nimbus.core import exception
    from nimbus.core.ec2 import ids
    ctx = nimbus_context.get_admin_context()
    api = ids.Ec2IdAPI(db, db_api)
    images = [str(uuid.uuid4()) for _ in range(3)]
    servers = [str(uuid.uuid4()) for _ in range(4)]
    ami = api.ec2_ids(ctx, "ami", images)
    aki = api.ec2_ids(ctx, "aki", images[:1])
    asked = [ami[images[2]], aki[images[0]], "ami-0fffffff",
             ami[images[1]]]
    assert api.uuids(ctx, asked, ("ami", "aki", "ari")) == {
        ami[images[2]]: images[2], aki[images[0]]: images[0],
        ami[images[1]]: images[1]}
    made = api.ec2_ids(ctx, "i", servers)
    # an image's number under the instance prefix is another object
    assert api.uuids(ctx, [made[servers[3]]], ("i",)) == {
        made[servers[3]]: servers[3]}
    with pytest.raises(exception.Invalid):
        api.uuids(ctx, [made[servers[0]], "i-zz"], ("i",))
    assert api.uuids(ctx, [], ("i",)) == {}
