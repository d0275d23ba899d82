"""[database] options come from oslo.db; nimbus adds a SQLite default.

oslo.db registers the group itself; nimbus only points ``connection`` at
``$state_path/nimbus.sqlite`` when it is unset (the embedded default).
"""

from oslo_db import options as db_options


def register_opts(conf):
    db_options.set_defaults(conf)


def list_opts():
    # oslo.db's own entry point documents the group.
    return {}
