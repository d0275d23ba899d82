"""The start-up every database-backed daemon shares."""

import sys

from nimbus.core import bootstrap, service
from nimbus.core.db import migration
from nimbus.core.db import setup as db_setup


def serve_with_database(binary, build, argv=None):
    """Parse config, set up the database, start what ``build(conf, db)``
    returns (anything with ``start``/``stop``) and run until a signal.

    :param build: called with the configuration and the database API
        (:func:`nimbus.core.db.setup.use_database`'s handle), which it
        passes into the constructors it calls.
    """
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, binary)
        bootstrap.wait_for_broker(conf)
        db = db_setup.use_database(conf)
        migration.check_current()
        server = build(conf, db)
        server.start()
        service.wait_for_signal([server.stop])
        return 0
    return bootstrap.run(binary, _main)
