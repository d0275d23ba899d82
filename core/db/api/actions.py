"""Instance actions, their events, and instance faults."""

from oslo_utils import timeutils
from sqlalchemy import and_, insert, or_, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import to_dict

A = models.InstanceAction
E = models.InstanceActionEvent


def action_start(context, instance_uuid, action):
    """Record that ``action`` started on the instance (a Core INSERT:
    every delete and server action writes one)."""
    values = {"instance_uuid": instance_uuid, "action": action,
              "request_id": context.request_id, "user_id": context.user_id,
              "project_id": context.project_id,
              "start_time": timeutils.utcnow()}
    with engine.writer(context, connection=True) as session:
        result = session.execute(_INSERT_ACTION, values)
    return {**dict.fromkeys(A.__table__.c.keys()), **values,
            "id": result.inserted_primary_key[0]}


#: Built once; the values go with each execution.
_INSERT_ACTION = insert(A.__table__)


def _latest_action(session, instance_uuid, request_id):
    return session.scalars(
        select(A).where(A.instance_uuid == instance_uuid,
                        A.request_id == request_id)
        .order_by(A.id.desc())).first()


def event_start(context, instance_uuid, event, host=None):
    """Record the start of ``event`` under the action of this request."""
    with engine.writer(context) as session:
        action = _latest_action(session, instance_uuid, context.request_id)
        if action is None:
            return None
        row = E(action_id=action.id, event=event, host=host,
                start_time=timeutils.utcnow())
        session.add(row)
        session.execute(update(A).where(A.id == action.id)
                        .values(updated_at=row.start_time))
        session.flush()
        return to_dict(row)


def event_finish(context, instance_uuid, event, result="Success",
                 exc_tb=None, details=None):
    """Finish ``event`` and its action; ``result`` "Error" marks failure,
    ``details`` says why."""
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        action = _latest_action(session, instance_uuid, context.request_id)
        if action is None:
            return
        session.execute(
            update(E).where(E.action_id == action.id, E.event == event,
                            E.finish_time.is_(None))
            .values(finish_time=now, result=result, traceback=exc_tb,
                    details=details))
        _finish_action(session, action, now, result)


def event_record(context, instance_uuid, event, start_time, result,
                 host=None, details=None):
    """Record a finished ``event`` (started at ``start_time``) and finish
    its action, in one write: what a step that cannot fail half-way
    needs, at half the cost of :func:`event_start` + :func:`event_finish`.
    """
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        action = _latest_action(session, instance_uuid, context.request_id)
        if action is None:
            return
        session.add(E(action_id=action.id, event=event, host=host,
                      start_time=start_time, finish_time=now,
                      result=result, details=details))
        _finish_action(session, action, now, result)


def _finish_action(session, action, now, result):
    values = {"finish_time": now, "updated_at": now}
    if result != "Success":
        values["message"] = "Error"
    session.execute(update(A).where(A.id == action.id).values(**values))


def actions_for(context, instance_uuid, limit=None, marker=None,
                changes_since=None, changes_before=None):
    """The instance's actions with their events, newest first.

    :param limit: at most this many (a page).
    :param marker: the ``request_id`` of the previous page's last action
        of this instance.
    :param changes_since: only actions changed (an event started or
        finished, ``updated_at``) at or after this datetime (Nova's).
    :param changes_before: only actions changed at or before it.
    :raises Invalid: ``marker`` names no action of the instance.
    """
    query = select(A).where(A.instance_uuid == instance_uuid)
    if changes_since is not None:
        query = query.where(A.updated_at >= changes_since)
    if changes_before is not None:
        query = query.where(A.updated_at <= changes_before)
    with engine.reader(context) as session:
        if marker is not None:
            last = _latest_action(session, instance_uuid, marker)
            if last is None:
                raise exception.Invalid(
                    message=f"Marker {marker} could not be found.")
            query = query.where(or_(
                A.start_time < last.start_time,
                and_(A.start_time == last.start_time, A.id < last.id)))
        query = query.order_by(A.start_time.desc(), A.id.desc())
        if limit:
            query = query.limit(limit)
        actions = [to_dict(a) for a in session.scalars(query)]
        events = {a["id"]: [] for a in actions}
        for event in session.scalars(select(E).where(
                E.action_id.in_(list(events))).order_by(E.id)):
            events[event.action_id].append(to_dict(event))
        for action in actions:
            action["events"] = events[action["id"]]
        return actions


def fault_create(context, instance_uuid, code, message, details=None,
                 host=None):
    with engine.writer(context) as session:
        row = models.InstanceFault(
            instance_uuid=instance_uuid, code=code, message=message[:255],
            details=details, host=host, created_at=timeutils.utcnow())
        session.add(row)
        session.flush()
        return to_dict(row)


def faults_latest(context, instance_uuids):
    """Return ``{uuid: newest fault}`` for the given instances."""
    if not instance_uuids:
        return {}
    faults = {}
    with engine.reader(context) as session:
        for row in session.scalars(
                select(models.InstanceFault)
                .where(models.InstanceFault.instance_uuid.in_(
                    list(instance_uuids)))
                .order_by(models.InstanceFault.id)):
            faults[row.instance_uuid] = to_dict(row)
    return faults

