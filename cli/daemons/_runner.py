"""The start-up every database-backed daemon shares."""

import sys

from nimbus.core import bootstrap, service
from nimbus.core.db import setup as db_setup


def serve_with_database(binary, build, argv=None):
    """Parse config, hand the process its database, start what ``build``
    returns (anything with ``start``/``stop``) and run until a signal."""
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, binary)
        db_setup.use_database(conf)
        server = build(conf)
        server.start()
        service.wait_for_signal([server.stop])
        return 0
    return bootstrap.run(binary, _main)
