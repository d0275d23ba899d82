"""Server external events in the compute API: what another service
(the network or volume service, an operator) tells a server's host
about the server (``os-server-external-events``).

:class:`ExternalEventsMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``,
``_check_capable``, ``volumes``, ``db`` and ``compute_rpc``.

Each event is answered on its own, as Nova does: 200 when it went to
the server's host, 404 for an unknown server, 400 for a
``power-update`` without its tag, 422 when it cannot be handled (the
server is on no host; for ``volume-extended``, the tag is no volume
attached to it or the host's plugin cannot extend volumes). A
``power-update`` whose tag is neither ``POWER_ON`` nor ``POWER_OFF`` is
answered 200 and dropped, as Nova does.
The hosts get one cast each with their accepted events; the manager
records one instance action event per event
(:mod:`nimbus.core.compute.manager_events`).
"""

from oslo_log import log as logging

from nimbus.core import exception

LOG = logging.getLogger(__name__)

NETWORK_EVENTS = ("network-changed", "network-vif-plugged",
                  "network-vif-unplugged", "network-vif-deleted")
VOLUME_EXTENDED = "volume-extended"
#: 2.76; its tag is the power state the server is said to have now.
POWER_UPDATE = "power-update"
POWER_ACTIONS = {"POWER_ON": "start", "POWER_OFF": "stop"}
#: 2.82: Cyborg says an accelerator request of the server is bound. No
#: nimbus build binds accelerators, so nothing ever waits for one: the
#: event is answered and logged, as Nova's compute logs an event nobody
#: waits for.
ACCELERATOR_BOUND = "accelerator-request-bound"
#: 2.93: Cinder says it re-imaged a server's root volume. nimbus's
#: compute waits for its own volume service's answer instead (the
#: volume's status), so this is signalling only, as above.
VOLUME_REIMAGED = "volume-reimaged"
_NOBODY_WAITS = {
    ACCELERATOR_BOUND: "no build of nimbus waits for accelerators",
    VOLUME_REIMAGED: "nimbus's compute waits for its volume service",
}
#: the instance action each event starts (``os-instance-actions``).
ACTIONS = dict({name: name for name in NETWORK_EVENTS},
               **{VOLUME_EXTENDED: "extend_volume"})


def action_of(event):
    """The instance action ``event`` starts (None: dropped)."""
    if event["name"] == POWER_UPDATE:
        return POWER_ACTIONS.get(event.get("tag"))
    return ACTIONS.get(event["name"])
GiB = 1024 ** 3


class ExternalEventsMixin:
    """external_instance_event."""

    def external_instance_event(self, context, events):
        """Pass ``events`` (dicts: ``name``, ``server_uuid``, ``status``,
        optional ``tag``) to the hosts of their servers.

        :returns: the events, each with its ``code`` (200, 404, 422) and
            ``status`` ("failed" unless 200), in the order given.
        """
        answered, by_host = [], {}
        for event in events:
            result = dict(event)
            try:
                instance, extra = self._accept_event(context, event)
            except exception.InstanceNotFound:
                result.update(code=404, status="failed")
            except exception.EventTagMissing:
                result.update(code=400, status="failed")
            except (exception.Conflict, exception.Invalid,
                    exception.NotFound) as err:
                LOG.info("Event %(name)s for %(uuid)s not handled: %(err)s",
                         {"name": event["name"],
                          "uuid": event["server_uuid"], "err": err})
                result.update(code=422, status="failed")
            else:
                result["code"] = 200
                action = action_of(event)
                if action is None:
                    LOG.warning("Event %(name)s (tag %(tag)s) for "
                                "%(uuid)s dropped: %(why)s",
                                {"tag": event.get("tag"),
                                 "name": event["name"],
                                 "uuid": instance.uuid,
                                 "why": _NOBODY_WAITS.get(
                                     event["name"], "not a power state")})
                    answered.append(result)
                    continue
                self.db.actions.action_start(context, instance.uuid, action)
                instances, accepted = by_host.setdefault(instance.host,
                                                         ({}, []))
                instances[instance.uuid] = instance
                accepted.append(dict(event, **extra))
            answered.append(result)
        for host, (instances, accepted) in by_host.items():
            self.compute_rpc.external_instance_event(
                context, host, list(instances.values()), accepted)
        return answered

    def _accept_event(self, context, event):
        """The event's instance and what its host needs besides the
        event (``new_size`` in bytes for ``volume-extended``).

        :raises InstanceNotFound: no such server (404).
        :raises Conflict, Invalid, NotFound: not handleable (422).
        """
        instance = self.get(context, event["server_uuid"])
        if event["name"] == POWER_UPDATE and event.get("tag") is None:
            raise exception.EventTagMissing(name=event["name"])
        if instance.host is None:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        if not self.compute_rpc.can_send_events():
            raise exception.Conflict(
                reason="the computes' RPC API is pinned below 1.12")
        if event["name"] != VOLUME_EXTENDED:
            return instance, {}
        self._check_capable(context, instance, "extend_volume")
        volume_id = event.get("tag")
        if not volume_id:
            raise exception.InvalidInput(
                reason="volume-extended needs the volume id as its tag")
        attached = self.volumes.attached_volume_ids(context,
                                                    [instance.uuid])
        if volume_id not in attached.get(instance.uuid, ()):
            raise exception.VolumeAttachmentNotFound(
                attachment_id=f"{instance.uuid}/{volume_id}")
        volume = self.volumes.get_volume(context, volume_id)
        return instance, {"new_size": int(volume["size"]) * GiB}
