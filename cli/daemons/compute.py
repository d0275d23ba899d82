"""nimbus-compute: runs the hypervisor plugin of one host.

It has no database configuration and never imports the database layer:
every read and write goes through nimbus-conductor.
"""

import sys

from nimbus.core import bootstrap, service
from nimbus.core.compute import manager, rpcapi

BINARY = "nimbus-compute"


def build(conf, host=None):
    host = host or conf.host
    return service.Service(conf, BINARY, rpcapi.TOPIC,
                           manager.ComputeManager(conf, host), host)


def main(argv=None):
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, BINARY)
        svc = build(conf)  # loads the plugins: a bad name stops us here
        bootstrap.wait_for_broker(conf)
        bootstrap.forbid_database(BINARY)
        svc.start()
        service.wait_for_signal([svc.stop])
        return 0
    return bootstrap.run(BINARY, _main)
