"""Instance action bodies (os-instance-actions), shaped by the request's
microversion."""

from nimbus.api.openstack import common
from nimbus.api.openstack.views import servers


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def action(row):
    """An action without its events; ``updated_at`` from 2.58."""
    body = {"action": row["action"], "instance_uuid": row["instance_uuid"],
            "request_id": row["request_id"], "user_id": row["user_id"],
            "project_id": row["project_id"],
            "start_time": _time(row["start_time"]),
            "message": row.get("message")}
    if common.at_least(58):
        body["updated_at"] = _time(row.get("updated_at"))
    return body


def event(row, project_id, details=False, why=False):
    """One event of an action.

    :param project_id: what ``hostId`` (2.62) is hashed with: the
        action's project, or the server's for an action without one.
    :param details: the caller may see everything (the ``events``
        policy): ``traceback``, and ``host`` from 2.62.
    :param why: show ``details``, why a failed event failed (2.84, the
        ``events:details`` policy).
    """
    body = {"event": row["event"], "start_time": _time(row["start_time"]),
            "finish_time": _time(row["finish_time"]),
            "result": row["result"]}
    if details:
        body["traceback"] = row["traceback"]
    if common.at_least(62):
        if details:
            body["host"] = row["host"]
        body["hostId"] = servers.hashed_host(project_id, row["host"])
    if why:
        body["details"] = row.get("details")
    return body
