"""Client side of the scheduler RPC API.

Version history:

* 1.0: initial version: select_destinations.
* 1.1: select_destinations takes a
  :class:`~nimbus.core.interfaces.request_spec.RequestSpec` object (in 1.0
  the legacy ``dict``).
"""

import oslo_messaging as messaging

from nimbus.core import conf as nimbus_conf
from nimbus.core import rpc

TOPIC = "scheduler"
CONF = nimbus_conf.CONF
#: The newest version this client knows: its cap unless
#: ``[upgrade_levels] scheduler`` pins an older one.
VERSION_CAP = "1.1"


class SchedulerAPI:
    """Calls to nimbus-scheduler."""

    def __init__(self):
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.scheduler or VERSION_CAP)

    def select_destinations(self, context, request_spec, instance_uuids):
        """Pick and claim a host for each instance.

        :param request_spec: a :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec`; sent as the legacy ``dict`` while
            ``[upgrade_levels] scheduler`` is below 1.1.
        :returns: one ``list`` of selections per instance: the claimed host
            first, then unclaimed alternates; each selection is a ``dict``
            with ``host``, ``nodename``, ``compute_node_uuid`` and (from
            this release) ``availability_zone``, the zone the host's
            aggregates gave it in this decision (None: the default).
        :raises NoValidHost: some instance fits nowhere; nothing is
            claimed for any of them.
        """
        version = "1.1"
        if not self.client.can_send_version(version):
            version, request_spec = "1.0", request_spec.to_legacy_dict()
        return self.client.prepare(version=version).call(
            context, "select_destinations", request_spec=request_spec,
            instance_uuids=instance_uuids)
