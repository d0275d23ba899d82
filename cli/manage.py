"""nimbus-manage: operator tasks on the database."""

import argparse
import sys

from nimbus.core import bootstrap
from nimbus.core import context as nimbus_context
from nimbus.core.db import migration, seed
from nimbus.core.db import setup as db_setup

BINARY = "nimbus-manage"


def _parser():
    parser = argparse.ArgumentParser(prog=BINARY)
    parser.add_argument("--config-file", action="append", default=[])
    sub = parser.add_subparsers(dest="group", required=True)
    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="command", required=True)
    db_sub.add_parser("sync", help="create or upgrade the schema")
    db_sub.add_parser("version", help="print the schema revision")
    db_sub.add_parser("seed", help="create the default flavors")
    return parser


def main(argv=None):
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)

    def _main():
        conf_args = []
        for path in args.config_file:
            conf_args += ["--config-file", path]
        conf = bootstrap.parse_config(conf_args, BINARY,
                                      transport_url="fake://")
        db_setup.use_database(conf)
        if args.command == "sync":
            migration.sync()
            print(f"database at revision {migration.version()}")
        elif args.command == "version":
            print(migration.version() or "empty")
        elif args.command == "seed":
            count = seed.seed_flavors(nimbus_context.get_admin_context())
            print(f"created {count} flavors")
        return 0
    return bootstrap.run(BINARY, _main)
