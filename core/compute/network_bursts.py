"""A compute's calls to nimbus-network, shared by the boots (and the
deletes) that run on its host at the same time.

A burst of boots on one host (``server create --min 50``, a benchmark,
an autoscaler) asked nimbus-network once per server, and each call cost
about as much in messaging as the allocation did in the database. Here
the boots that reach their allocation while a call is out wait for it
and go together in the next one (network RPC 1.4), as a database's group
commit does: alone, a boot calls at once, as before. Each server still
gets its own outcome. Only boots nimbus-network allocates together
anyway join (new ports with any free address, on the networks they
name, in the ``default`` group); the others, and every call to a
network service older than 1.4, go alone.
"""

import collections

from nimbus.core.network import coalesce
from nimbus.core.network import rpcapi as network_rpcapi

#: Most servers one call carries.
BURST_MAX = 16

_Boot = collections.namedtuple("_Boot", "context request held_groups")
_Delete = collections.namedtuple("_Delete", "context instance_uuid")


class NetworkBursts:
    """Allocations and releases for the servers of ``host``.

    :param network: the network RPC API
        (:class:`~nimbus.core.network.rpcapi.NetworkAPI`).
    """

    def __init__(self, host, network):
        self._host = host
        self._network = network
        self._boots = coalesce.GroupCommit(self._allocate,
                                           max_items=BURST_MAX)
        self._deletes = coalesce.GroupCommit(self._release,
                                             max_items=BURST_MAX)

    def allocate(self, context, instance_uuid, project_id, requested,
                 security_groups, hostname, held_groups=()):
        """The server's VIF dicts (see the network RPC API's
        ``allocate_for_instance``); raises what its allocation met."""
        boot = _Boot(context, {
            "instance_uuid": instance_uuid, "project_id": project_id,
            "requested": requested, "security_groups": security_groups,
            "hostname": hostname}, list(held_groups))
        if not network_rpcapi.joins_bursts(requested, security_groups) or \
                not self._network.can_take_bursts():
            return self._allocate_one(boot)
        return self._boots.submit(boot)

    def release(self, context, instance_uuid):
        """Give the server's ports back (its VIFs are known here: nothing
        is returned); raises what the release met."""
        delete = _Delete(context, instance_uuid)
        if not self._network.can_take_bursts():
            self._release_one(delete)
            return
        self._deletes.submit(delete)

    def _allocate_one(self, boot):
        values = boot.request
        return self._network.allocate_for_instance(
            boot.context, values["instance_uuid"], values["project_id"],
            self._host, values["requested"], values["security_groups"],
            values["hostname"], held_groups=boot.held_groups)

    def _release_one(self, delete):
        return self._network.deallocate_for_instance(
            delete.context, delete.instance_uuid, self._host,
            return_vifs=False)

    def _allocate(self, boots):
        """GroupCommit's run: one call for the boots that waited."""
        if len(boots) == 1:
            return [_outcome(self._allocate_one, boots[0])]
        # Members held by every one of them are left out of the reply.
        held = set.intersection(*(set(b.held_groups) for b in boots))
        return self._network.allocate_for_instances(
            boots[0].context, self._host, [b.request for b in boots],
            held_groups=held)

    def _release(self, deletes):
        """GroupCommit's run: one call for the deletes that waited."""
        if len(deletes) == 1:
            return [_outcome(self._release_one, deletes[0])]
        return self._network.deallocate_for_instances(
            deletes[0].context, self._host,
            [d.instance_uuid for d in deletes])


def _outcome(call, item):
    """``call(item)``, or the exception it raised (a GroupCommit outcome,
    which its caller raises)."""
    try:
        return call(item)
    except Exception as err:
        return err
