"""nimbus-conductor: database proxy for computes and build workflows."""

import sys

from nimbus.core import bootstrap, service
from nimbus.core.conductor import manager, rpcapi
from nimbus.core.db import setup as db_setup

BINARY = "nimbus-conductor"


def build(conf):
    return service.Service(conf, BINARY, rpcapi.TOPIC,
                           manager.ConductorManager(conf, conf.host),
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
