"""``/servers/{server_id}/os-instance-actions``: list and show.

2.51 shows the events to non-admins too (so they are always there);
2.58 adds ``updated_at`` and pages the list (``links``); 2.62 shows each
event's ``hostId`` (and ``host`` to admins); 2.84 adds ``details`` (for
those the ``events:details`` policy lets see it).
"""

from nimbus.api.openstack.responses import types as t

P = "/servers/{server_id}/os-instance-actions"

_ACTION = t.obj({
    "action": t.STRING, "instance_uuid": t.STRING,
    "message": t.NULLABLE_STRING, "project_id": t.NULLABLE_STRING,
    "user_id": t.NULLABLE_STRING, "request_id": t.STRING,
    "start_time": t.DATE_TIME,
}, required=("action", "instance_uuid", "message", "project_id",
             "user_id", "request_id", "start_time"))
_EVENT = t.obj({"event": t.STRING, "start_time": t.DATE_TIME,
                "finish_time": t.NULLABLE_DATE_TIME,
                "result": t.NULLABLE_STRING,
                # for those the policy lets see it
                "traceback": t.NULLABLE_STRING},
               required=("event", "start_time", "finish_time", "result"))
_UPDATED = {"updated_at": t.NULLABLE_DATE_TIME}


def _index(minor):
    action = _ACTION
    properties = {}
    if minor >= 58:
        action = t.evolve(action, add=_UPDATED, require=["updated_at"])
        properties["links"] = t.COLLECTION_LINKS
    properties["instanceActions"] = t.array(action)
    return t.obj(properties, required=("instanceActions",))


def _show(minor):
    event = _EVENT
    if minor >= 62:
        event = t.evolve(event, add={"hostId": t.STRING, "host": t.STRING},
                         require=["hostId"])
    if minor >= 84:
        event = t.evolve(event, add={"details": t.NULLABLE_STRING})
    # to 2.50 only admins see the events (policy)
    action = t.evolve(_ACTION, add={"events": t.array(event)},
                      require=["events"] if minor >= 51 else ())
    if minor >= 58:
        action = t.evolve(action, add=_UPDATED, require=["updated_at"])
    return t.obj({"instanceAction": action}, required=("instanceAction",))


SCHEMAS = {
    ("GET", P): [(1, 57, _index(1)), (58, None, _index(58))],
    ("GET", P + "/{request_id}"): [(1, 50, _show(1)), (51, 57, _show(51)),
                                   (58, 61, _show(58)),
                                   (62, 83, _show(62)),
                                   (84, None, _show(84))],
}
