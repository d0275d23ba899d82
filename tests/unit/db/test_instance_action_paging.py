"""What os-instance-actions 2.58 needs of the database API: an action's
``updated_at`` follows its events, and the list pages by request id and
filters by ``changes_since`` (SQLite here)."""

import datetime
import uuid

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api

INSTANCE = str(uuid.uuid4())


def _ctx():
    return nimbus_context.RequestContext(user_id="u", project_id="p",
                                         is_admin=True)


def _action(name):
    ctx = _ctx()
    db_api.actions.action_start(ctx, INSTANCE, name)
    return ctx


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def test_updated_at_follows_the_events(db):
    ctx = _action("reboot")
    action, = db_api.actions.actions_for(ctx, INSTANCE)
    assert action["updated_at"] is None
    db_api.actions.event_start(ctx, INSTANCE, "compute_reboot", host="h1")
    action, = db_api.actions.actions_for(ctx, INSTANCE)
    started = action["updated_at"]
    assert started == action["events"][0]["start_time"]
    db_api.actions.event_finish(ctx, INSTANCE, "compute_reboot")
    action, = db_api.actions.actions_for(ctx, INSTANCE)
    assert action["updated_at"] == action["finish_time"] >= started
    ctx = _action("stop")
    db_api.actions.event_record(ctx, INSTANCE, "compute_stop", _now(),
                                "Success", host="h1")
    newest = db_api.actions.actions_for(ctx, INSTANCE)[0]
    assert newest["action"] == "stop" and newest["updated_at"]


def test_pages_by_request_id_and_filters_by_changes_since(db):
    contexts = [_action(f"a{n}") for n in range(5)]
    ids = [c.request_id for c in contexts]
    listed = db_api.actions.actions_for(_ctx(), INSTANCE)
    assert [a["request_id"] for a in listed] == ids[::-1]
    page = db_api.actions.actions_for(_ctx(), INSTANCE, limit=2,
                                      marker=ids[3])
    assert [a["request_id"] for a in page] == [ids[2], ids[1]]
    since = _now()
    db_api.actions.event_record(contexts[1], INSTANCE, "e", since,
                                "Success")
    changed = db_api.actions.actions_for(_ctx(), INSTANCE,
                                         changes_since=since)
    assert [a["request_id"] for a in changed] == [ids[1]]
    assert db_api.actions.actions_for(
        _ctx(), INSTANCE, changes_since=_now() +
        datetime.timedelta(seconds=5)) == []


@pytest.mark.parametrize("marker", ["req-missing", "of-another"])
def test_a_marker_of_no_action_of_the_instance_is_invalid(db, marker):
    other = str(uuid.uuid4())
    ctx = _ctx()
    db_api.actions.action_start(ctx, other, "create")
    if marker == "of-another":
        marker = ctx.request_id
    with pytest.raises(exception.Invalid) as err:
        db_api.actions.actions_for(_ctx(), INSTANCE, marker=marker)
    assert err.value.code == 400
    assert str(err.value) == f"Marker {marker} could not be found."
