"""nimbus-conductor: database proxy for computes and build workflows."""

from nimbus.cli.daemons import _runner
from nimbus.core import service
from nimbus.core.conductor import manager, rpcapi

BINARY = "nimbus-conductor"


def build(conf, db):
    """:param db: the database API (conductor runs object methods)."""
    return service.Service(conf, BINARY, rpcapi.TOPIC,
                           manager.ConductorManager(conf, conf.host, db),
                           conf.host)


def main(argv=None):
    return _runner.serve_with_database(BINARY, build, argv)
