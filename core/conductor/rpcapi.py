"""Client side of the conductor RPC API.

Version history:

* 1.0: initial version: ping, object_class_action_versions, object_action,
  object_backport_versions; compute_task namespace:
  schedule_and_build_instances, build_instances (reschedule); their
  ``request_spec`` is a :class:`~nimbus.core.interfaces.request_spec.
  RequestSpec` object.
"""

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_versionedobjects import base as ovo_base

from nimbus.core import rpc

LOG = logging.getLogger(__name__)

TOPIC = "conductor"
VERSION_CAP = "1.0"


class ConductorAPI(ovo_base.VersionedObjectIndirectionAPI):
    """Calls to nimbus-conductor; also the objects' indirection API."""

    def __init__(self):
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(target, version_cap=VERSION_CAP)

    def wait_until_ready(self, context, timeout=5, attempts=60):
        """Block until conductor answers (a compute cannot work without
        it); raise MessagingTimeout after ``attempts`` tries."""
        for attempt in range(1, attempts + 1):
            try:
                self.client.prepare(timeout=timeout).call(context, "ping")
                return
            except messaging.MessagingTimeout:
                if attempt == attempts:
                    raise
                LOG.warning("Waiting for nimbus-conductor (attempt %d)",
                            attempt)

    # -- object indirection (compute's only way to the database) ------------

    def object_class_action_versions(self, context, objname, objmethod,
                                     object_versions, args, kwargs):
        return self.client.prepare().call(
            context, "object_class_action_versions", objname=objname,
            objmethod=objmethod, object_versions=object_versions,
            args=args, kwargs=kwargs)

    def object_action(self, context, objinst, objmethod, args, kwargs):
        return self.client.prepare().call(
            context, "object_action", objinst=objinst, objmethod=objmethod,
            args=args, kwargs=kwargs)

    def object_backport_versions(self, context, objinst, object_versions):
        return self.client.prepare().call(
            context, "object_backport_versions", objinst=objinst,
            object_versions=object_versions)

    # -- build workflows ----------------------------------------------------

    def _tasks(self):
        return self.client.prepare(namespace="compute_task")

    def schedule_and_build_instances(self, context, instance_uuids,
                                     request_spec):
        """Schedule the (already recorded) instances and start builds.

        :param instance_uuids: the instances the request recorded.
        :param request_spec: their :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec`.
        """
        self._tasks().cast(context, "schedule_and_build_instances",
                           instance_uuids=instance_uuids,
                           request_spec=request_spec)

    def build_instances(self, context, instance_uuid, request_spec,
                        alternates, failed_host, reason):
        """Reschedule one failed build onto an alternate host.

        :param request_spec: the :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec` the build ran with.
        :param alternates: the remaining alternates (selection ``dict``
            objects), best first.
        :param failed_host: the host whose build failed.
        :param reason: why it failed (for the fault if none is left).
        """
        self._tasks().cast(context, "build_instances",
                           instance_uuid=instance_uuid,
                           request_spec=request_spec, alternates=alternates,
                           failed_host=failed_host, reason=reason)
