"""nimbus-network's side of a compute's bursts (network RPC 1.4): the
allocations of several servers booting on one host in one message, and
the releases of several deleted ones (see
:class:`~nimbus.core.network.manager.NetworkManager`, which mixes this
in).

One message per burst instead of one per server: a boot's call to
nimbus-network cost about as much in messaging (the context, the
arguments and the reply encoded, decoded and dispatched) as its
allocation did in the database. Each server still gets its own outcome:
one that fails leaves nothing behind and the others go on.
"""

import oslo_messaging as messaging

from nimbus.core import exception


def outcome_of(err):
    """What a server's failure becomes in a burst's reply: ``{"error":
    {"type": its class name, "message": what it says}}``."""
    return {"error": {"type": exception.name_of(err),
                      "message": exception.message_of(err)}}


class BurstsMixin:
    """The burst methods of the RPC endpoint (uses the manager's
    ``allocator``, ``_rules_reader``, ``_hand_out`` and
    ``_released_ports``)."""

    @messaging.expected_exceptions(exception.NimbusException)
    def allocate_for_instances(self, context, host, requests,
                               remote_groups=False, held_groups=None):
        """``allocate_for_instance`` for several servers on ``host`` in
        one message, through its context: each request one that
        :meth:`~nimbus.core.network.allocation.Allocator.allocate_many`
        takes (new ports with any free address, on the networks it
        names, in the ``default`` group).

        :param requests: ``[{"instance_uuid", "project_id", "requested",
            "security_groups", "hostname"}]``.
        :returns: one outcome per request, in order: ``{"vifs": [VIF
            dict, ...]}`` or :func:`outcome_of` its failure.
        """
        outcomes = self.allocator.allocate_many(
            context, host, requests,
            also=self._rules_reader(remote_groups, held_groups))
        made = [(request["instance_uuid"], outcome) for request, outcome
                in zip(requests, outcomes, strict=True)
                if not isinstance(outcome, Exception)]
        failed = None
        try:
            vifs = iter(self._hand_out(context, host, made, remote_groups,
                                       held_groups) if made else ())
        except Exception as err:  # every server made was given back
            failed = outcome_of(err)
        return [outcome_of(outcome) if isinstance(outcome, Exception)
                else failed or {"vifs": next(vifs)} for outcome in outcomes]

    @messaging.expected_exceptions(exception.NimbusException)
    def deallocate_for_instances(self, context, host, instance_uuids):
        """``deallocate_for_instance`` (``return_vifs`` False) for
        several servers on ``host`` in one message.

        :returns: one outcome per server, in order: None (released) or
            :func:`outcome_of` its failure.
        """
        outcomes = self.allocator.deallocate_many(context, instance_uuids)
        self._released_ports([port for outcome in outcomes
                              if not isinstance(outcome, Exception)
                              for port in outcome], host)
        return [outcome_of(outcome) if isinstance(outcome, Exception)
                else None for outcome in outcomes]
