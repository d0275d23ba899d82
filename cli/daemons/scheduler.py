"""nimbus-scheduler: picks hosts and claims their resources."""

import sys

from nimbus.core import bootstrap, service
from nimbus.core.db import setup as db_setup
from nimbus.core.scheduler import manager, rpcapi

BINARY = "nimbus-scheduler"


def build(conf):
    return service.Service(conf, BINARY, rpcapi.TOPIC,
                           manager.SchedulerManager(conf, conf.host),
                           conf.host)


def main(argv=None):
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, BINARY)
        db_setup.use_database(conf)
        svc = build(conf)
        svc.start()
        service.wait_for_signal([svc.stop])
        return 0
    return bootstrap.run(BINARY, _main)
