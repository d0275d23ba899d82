"""nimbus-scheduler: picks hosts and claims their resources."""

from nimbus.cli.daemons import _runner
from nimbus.core import service
from nimbus.core.scheduler import manager, rpcapi

BINARY = "nimbus-scheduler"


def build(conf, db):
    """:param db: the database API (host states and claims)."""
    return service.Service(conf, BINARY, rpcapi.TOPIC,
                           manager.SchedulerManager(conf, conf.host, db),
                           conf.host)


def main(argv=None):
    return _runner.serve_with_database(BINARY, build, argv)
