"""Client side of the conductor RPC API.

Version history:

* 1.0: initial version: ping, object_class_action_versions, object_action,
  object_backport_versions; compute_task namespace:
  schedule_and_build_instances, build_instances (reschedule).
* 1.1: schedule_and_build_instances and build_instances take a
  :class:`~nimbus.core.interfaces.request_spec.RequestSpec` object (in 1.0
  the legacy ``dict``).
* 1.2: compute_task namespace: migrate_server, confirm_resize,
  revert_resize (casts: cold moves).
* 1.3: compute_task live_migrate_instance (cast).
* 1.4: compute_task namespace: unshelve_instance, evacuate_instance.
* 1.5: evacuate_instance takes ``target_state`` (Compute API 2.95).
"""

import time

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_versionedobjects import base as ovo_base

from nimbus.core import conf as nimbus_conf
from nimbus.core import exception, rpc

LOG = logging.getLogger(__name__)

TOPIC = "conductor"
CONF = nimbus_conf.CONF
#: The newest version this client knows: its cap unless
#: ``[upgrade_levels] conductor`` pins an older one.
VERSION_CAP = "1.5"


class ConductorAPI(ovo_base.VersionedObjectIndirectionAPI):
    """Calls to nimbus-conductor; also the objects' indirection API."""

    def __init__(self, retry=None):
        """:param retry: see :func:`nimbus.core.rpc.get_client` (the API
        passes ``[api] rpc_send_retries``; services wait for the
        broker)."""
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.conductor or VERSION_CAP,
            retry=retry)

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
        return self._through_database_outage(
            context, "object_class_action_versions", objname=objname,
            objmethod=objmethod, object_versions=object_versions,
            args=args, kwargs=kwargs)

    def object_action(self, context, objinst, objmethod, args, kwargs):
        return self._through_database_outage(
            context, "object_action", objinst=objinst, objmethod=objmethod,
            args=args, kwargs=kwargs)

    def _through_database_outage(self, context, method, **kwargs):
        """Call ``method``; while conductor answers that the database does
        not (a restart), retry with back-off for ``[conductor]
        database_outage_wait`` seconds, so work in flight on a compute
        outlives the outage instead of failing half-recorded. A write
        the database refused was not made, so sending it again is safe;
        the guarded writes (expected task state) stay guarded."""
        deadline = time.monotonic() + CONF.conductor.database_outage_wait
        delay = 0.5
        while True:
            try:
                return self.client.prepare().call(context, method, **kwargs)
            except exception.ServiceUnavailable as err:
                if time.monotonic() + delay > deadline:
                    raise
                LOG.warning("%(method)s: %(err)s Retrying in %(delay).1fs.",
                            {"method": method, "err": err, "delay": delay})
                time.sleep(delay)
                delay = min(delay * 2, 4)

    def object_backport_versions(self, context, objinst, object_versions):
        return self.client.prepare().call(
            context, "object_backport_versions", objinst=objinst,
            object_versions=object_versions)

    # -- build workflows ----------------------------------------------------

    def _tasks(self, request_spec):
        """Return the ``compute_task`` client and ``request_spec`` as the
        conductor reads it: the object from 1.1, below the legacy dict."""
        version = "1.1"
        if not self.client.can_send_version(version):
            version, request_spec = "1.0", request_spec.to_legacy_dict()
        return (self.client.prepare(namespace="compute_task",
                                    version=version), request_spec)

    def schedule_and_build_instances(self, context, instance_uuids,
                                     request_spec):
        """Schedule the (already recorded) instances and start builds.

        :param instance_uuids: the instances the request recorded.
        :param request_spec: their :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec`.
        """
        client, request_spec = self._tasks(request_spec)
        client.cast(context, "schedule_and_build_instances",
                    instance_uuids=instance_uuids, request_spec=request_spec)

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
        client, request_spec = self._tasks(request_spec)
        client.cast(context, "build_instances", instance_uuid=instance_uuid,
                    request_spec=request_spec, alternates=alternates,
                    failed_host=failed_host, reason=reason)

    # -- cold moves (1.2) ---------------------------------------------------

    def _moves(self, action):
        if not self.client.can_send_version("1.2"):
            raise exception.Conflict(
                reason=f"{action} needs conductor RPC 1.2; "
                       f"[upgrade_levels] conductor pins "
                       f"{self.client.version_cap}")
        return self.client.prepare(namespace="compute_task", version="1.2")

    def migrate_server(self, context, instance, flavor, host=None):
        """Resize (``flavor``, a flavor ``dict``, differs from the
        instance's) or cold-migrate ``instance``, to ``host`` if given.

        :raises Conflict: conductor RPC is pinned below 1.2.
        """
        self._moves("migrate").cast(context, "migrate_server",
                                    instance=instance, flavor=flavor,
                                    host=host)

    def confirm_resize(self, context, instance, migration):
        """Keep a finished move (its migration already confirming)."""
        self._moves("confirmResize").cast(
            context, "confirm_resize", instance=instance,
            migration=migration)

    def revert_resize(self, context, instance, migration):
        """Undo a finished move (its migration already reverting)."""
        self._moves("revertResize").cast(
            context, "revert_resize", instance=instance,
            migration=migration)

    def live_migrate_instance(self, context, instance, host,
                              block_migration):
        """Cast: run the live-migration workflow of ``instance`` (its
        task state is ``migrating``) to ``host`` (None: the scheduler
        picks).

        :raises Conflict: ``[upgrade_levels] conductor`` pins below 1.3.
        """
        if not self.client.can_send_version("1.3"):
            from nimbus.core import exception
            raise exception.Conflict(
                reason="live migration needs conductor RPC 1.3; "
                       f"[upgrade_levels] conductor pins "
                       f"{self.client.version_cap}")
        self.client.prepare(namespace="compute_task", version="1.3").cast(
            context, "live_migrate_instance", instance=instance, host=host,
            block_migration=block_migration)

    # -- 1.4: placing a server anew ---------------------------------------

    def _placing(self, action):
        if not self.client.can_send_version("1.4"):
            raise exception.Conflict(
                reason=f"{action} needs conductor RPC 1.4; [upgrade_levels] "
                       f"conductor pins {self.client.version_cap}")
        return self.client.prepare(namespace="compute_task", version="1.4")

    def check_placing(self, action):
        """Raise Conflict (409) when conductor is pinned below 1.4."""
        self._placing(action)

    def unshelve_instance(self, context, instance_uuid, request_spec):
        """Schedule an offloaded server and unshelve it there."""
        self._placing("unshelve").cast(
            context, "unshelve_instance", instance_uuid=instance_uuid,
            request_spec=request_spec)

    def evacuate_instance(self, context, instance_uuid, image_ref,
                          target_host=None, target_state=None):
        """Rebuild a server of a down host on another host (``target_host``
        when an admin named one), ending in ``target_state`` when given
        (1.5)."""
        if target_state is None:
            self._placing("evacuate").cast(
                context, "evacuate_instance", instance_uuid=instance_uuid,
                image_ref=image_ref, target_host=target_host)
            return
        self.check_evacuate_target_state()
        self.client.prepare(namespace="compute_task", version="1.5").cast(
            context, "evacuate_instance", instance_uuid=instance_uuid,
            image_ref=image_ref, target_host=target_host,
            target_state=target_state)

    def check_evacuate_target_state(self):
        """:raises EvacuateTargetStateNotSupported: conductor is pinned
        below 1.5."""
        if not self.client.can_send_version("1.5"):
            raise exception.EvacuateTargetStateNotSupported()
