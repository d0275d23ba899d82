"""Conductor's object proxy: runs remotable object methods for computes.

Compute services have no database; their remotable object calls arrive
here (``NimbusObject.indirection_api`` is a ConductorAPI there) and run
against the database, and the changed fields travel back.
"""

import oslo_messaging as messaging

from nimbus.core import exception, manager
from nimbus.core.conductor import tasks
from nimbus.core.objects import base as objects_base


class ConductorManager(manager.Manager):
    """The conductor's RPC endpoint (see rpcapi for the version history).

    :param db: the database API handed in by the daemon; remotable
        object methods run here reach it through ``NimbusObject.db_api``.
    """

    target = messaging.Target(version="1.0")

    def __init__(self, conf, host, db):
        super().__init__(conf, host)
        self.db = db
        self.compute_task_mgr = tasks.ComputeTaskManager(conf, db)

    def additional_endpoints(self):
        return [self.compute_task_mgr]

    def ping(self, context):
        """Answer compute services waiting for conductor at start."""
        return True

    @messaging.expected_exceptions(exception.NimbusException)
    def object_class_action_versions(self, context, objname, objmethod,
                                     object_versions, args, kwargs):
        objclass = objects_base.NimbusObject.obj_class_from_name(
            objname, object_versions[objname])
        return getattr(objclass, objmethod)(context, *args, **kwargs)

    @messaging.expected_exceptions(exception.NimbusException)
    def object_action(self, context, objinst, objmethod, args, kwargs):
        before = objinst.obj_clone()
        result = getattr(objinst, objmethod)(*args, **kwargs)
        updates = {}
        for name, field in objinst.fields.items():
            if not objinst.obj_attr_is_set(name):
                continue
            if (not before.obj_attr_is_set(name)
                    or getattr(before, name) != getattr(objinst, name)):
                updates[name] = field.to_primitive(objinst, name,
                                                   getattr(objinst, name))
        updates["obj_what_changed"] = list(objinst.obj_what_changed())
        return updates, result

    def object_backport_versions(self, context, objinst, object_versions):
        target = object_versions[objinst.obj_name()]
        return objinst.obj_to_primitive(target_version=target,
                                        version_manifest=object_versions)
