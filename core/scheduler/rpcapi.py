"""Client side of the scheduler RPC API.

Version history:

* 1.0: initial version: select_destinations (``request_spec`` is a
  :class:`~nimbus.core.interfaces.request_spec.RequestSpec` object).
"""

import oslo_messaging as messaging

from nimbus.core import rpc

TOPIC = "scheduler"
VERSION_CAP = "1.0"


class SchedulerAPI:
    """Calls to nimbus-scheduler."""

    def __init__(self):
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(target, version_cap=VERSION_CAP)

    def select_destinations(self, context, request_spec, instance_uuids):
        """Pick and claim a host for each instance.

        :param request_spec: a :class:`~nimbus.core.interfaces.
            request_spec.RequestSpec` (sent as the versioned object).
        :returns: one ``list`` of selections per instance: the claimed host
            first, then unclaimed alternates; each selection is a ``dict``
            with ``host``, ``nodename`` and ``compute_node_uuid``.
        :raises NoValidHost: some instance fits nowhere; nothing is
            claimed for any of them.
        """
        return self.client.prepare().call(
            context, "select_destinations", request_spec=request_spec,
            instance_uuids=instance_uuids)
