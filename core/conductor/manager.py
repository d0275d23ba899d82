"""Conductor's object proxy: runs remotable object methods for computes.

Compute services have no database; their remotable object calls arrive
here (``NimbusObject.indirection_api`` is a ConductorAPI there) and run
against the database, and the changed fields travel back.
"""

import copy
import datetime

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_utils import versionutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception, manager
from nimbus.core.conductor import recovery, tasks
from nimbus.core.objects import base as objects_base

LOG = logging.getLogger(__name__)


class ConductorManager(manager.Manager):
    """The conductor's RPC endpoint (see rpcapi for the version history).

    :param db: the database API handed in by the daemon; remotable
        object methods run here reach it through ``NimbusObject.db_api``.
    """

    target = messaging.Target(version="1.6")

    def __init__(self, conf, host, db):
        super().__init__(conf, host)
        self.db = db
        self.compute_task_mgr = tasks.ComputeTaskManager(conf, db)
        self.task_sweep = recovery.TaskStateSweep(conf, db)

    def additional_endpoints(self):
        return [self.compute_task_mgr]

    def after_start(self):
        """Settle the live migrations a previous conductor left before
        handing them to a compute (see ``workflows.live_migrate``), and
        the task states abandoned while no conductor ran (see
        :mod:`.recovery`), now rather than one interval later."""
        from nimbus.core.conductor.workflows import live_migrate
        try:
            settled = live_migrate.recover(
                self.compute_task_mgr, nimbus_context.get_admin_context())
        except Exception:
            LOG.exception("Settling interrupted live migrations failed")
            settled = 0
        if settled:
            LOG.warning("Rolled back %d live migrations a previous "
                        "conductor left unfinished", settled)
        self.task_sweep.run()

    def periodic_tasks(self):
        c = self.conf.conductor
        tasks = [(self.compute_task_mgr.check_moves,
                  c.move_recovery_interval),
                 (self.task_sweep.run, c.task_state_check_interval)]
        if not self.conf.metrics.enabled:
            return tasks
        from nimbus.core import admin_api, metrics
        admin = admin_api.AdminAPI(self.conf, self.db)
        sampler = metrics.Sampler(self.conf, lambda: admin.service_states(
            nimbus_context.get_admin_context()))
        return tasks + [(sampler.sample, self.conf.metrics.poll_interval)]

    def ping(self, context):
        """Answer compute services waiting for conductor at start."""
        return True

    @messaging.expected_exceptions(exception.NimbusException)
    def object_class_action_versions(self, context, objname, objmethod,
                                     object_versions, args, kwargs):
        """Run a remotable classmethod for a service without a database.

        :param object_versions: ``{object name: version}`` of every object
            the caller knows (its manifest).
        :returns: the method's result; an object comes back as a primitive
            at the versions the caller declared (children too), so a
            compute of the previous release can read it.
        """
        objclass = objects_base.NimbusObject.obj_class_from_name(
            objname, object_versions[objname])
        result = getattr(objclass, objmethod)(context, *args, **kwargs)
        if not isinstance(result, objects_base.NimbusObject):
            return result
        return _backport(result, object_versions)

    @messaging.expected_exceptions(exception.NimbusException)
    def object_action(self, context, objinst, objmethod, args, kwargs):
        """Run a remotable method for a service without a database;
        return the fields it changed (as primitives) and its result."""
        # what the fields hold now: not obj_clone(), which deep-copies
        # the whole object (a fifth of the CPU of each object call)
        before = {name: _copied(value) for name, value in
                  objects_base.set_fields(objinst).items()}
        result = getattr(objinst, objmethod)(*args, **kwargs)
        updates = {}
        for name, value in objects_base.set_fields(objinst).items():
            if name not in before or before[name] != value:
                updates[name] = objinst.fields[name].to_primitive(
                    objinst, name, value)
        updates["obj_what_changed"] = list(objinst.obj_what_changed())
        return updates, result

    def object_backport_versions(self, context, objinst, object_versions):
        """Return ``objinst`` as a primitive at the caller's versions (its
        serializer asks when it received an object newer than it knows).

        :param object_versions: the caller's manifest, as above.
        """
        return _backport(objinst, object_versions)


_IMMUTABLE = (str, int, float, bool, type(None), datetime.datetime)


def _copied(value):
    """``value`` as it is now (a method may change a dict or list in
    place): immutable values as they are, containers as plain copies of
    their items (ovo's coerced dicts and lists refer to the object that
    holds them: deep-copying one copied the whole object), anything else
    (a child object) deep-copied."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return {_copied(item) for item in value}
    return copy.deepcopy(value)


def _backport(obj, object_versions):
    """Return ``obj``'s primitive at the version ``object_versions`` names
    for its class (ours when the caller's is not older) and its children
    at theirs."""
    ours = obj.VERSION
    target = object_versions.get(obj.obj_name(), ours)
    if (versionutils.convert_version_to_tuple(target)
            > versionutils.convert_version_to_tuple(ours)):
        target = ours
    return obj.obj_to_primitive(target_version=target,
                                version_manifest=object_versions)
