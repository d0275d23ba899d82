"""nimbus-network: IPAM and the gateway side of the network plugin."""

import oslo_messaging as messaging

from nimbus.cli.daemons import _runner
from nimbus.core import rpc, service
from nimbus.core.network import manager, rpcapi

BINARY = "nimbus-network"


def build(conf, db, host=None, served_hosts=()):
    """:param db: the database API (nimbus-network owns the address
    records).
    :param host: the host name it serves as (default ``conf.host``).
    :param served_hosts: compute hosts it also serves ``multi_host``
        networks for, answering their ``network.<host>`` casts too
        (nimbus-all, where it is every compute's network service).
    """
    host = host or conf.host
    svc = service.Service(conf, BINARY, rpcapi.TOPIC,
                          manager.NetworkManager(conf, host, db,
                                                 served_hosts=served_hosts),
                          host)
    aliases = [h for h in served_hosts if h != host]
    return _Aliased(svc, aliases) if aliases else svc


class _Aliased:
    """A network service that also answers casts addressed to other
    host names (``network.<alias>``) with the same manager: through one
    RPC server for them all where the transport can bind many server
    names to one queue (``local://``: nimbus-all's thousands of fleet
    hosts), else one RPC server per alias."""

    def __init__(self, svc, aliases):
        self.svc = svc
        self.manager = svc.manager
        self.aliases = aliases
        self._servers = []

    def __getattr__(self, name):
        return getattr(self.svc, name)

    def start(self):
        self.svc.start()
        try:
            server = rpc.FleetServer(
                messaging.Target(topic=rpcapi.TOPIC,
                                 server=f"aliases-{self.svc.host}"),
                default=[self.manager])
        except ValueError:
            server = None
        if server is not None:
            server.add_hosts({alias: [self.manager]
                              for alias in self.aliases})
            server.start()
            self._servers.append(server)
            return
        for alias in self.aliases:
            server = rpc.get_server(
                messaging.Target(topic=rpcapi.TOPIC, server=alias),
                [self.manager])
            server.start()
            self._servers.append(server)

    def stop(self):
        service.in_parallel([
            lambda: service.stop_parts(self.svc.conf,
                                       f"{BINARY} (aliases)", None,
                                       *self._servers),
            self.svc.stop])


def main(argv=None):
    return _runner.serve_with_database(BINARY, build, argv)
