"""nimbus-novncproxy: the websocket proxy of remote consoles (noVNC).

Like a compute, it has no database: tokens are checked on conductor
(object indirection). nimbus-all runs it in a thread beside the other
services.
"""

import sys

from nimbus.core import bootstrap, service
from nimbus.core.console import websocketproxy

BINARY = "nimbus-novncproxy"


def build(conf):
    return websocketproxy.build(conf)


def main(argv=None):
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, BINARY)
        proxy = build(conf)  # binds now: a bad address stops us here
        bootstrap.wait_for_broker(conf)
        bootstrap.forbid_database(BINARY)
        proxy.start()
        service.wait_for_signal([proxy.stop])
        return 0
    return bootstrap.run(BINARY, _main)
