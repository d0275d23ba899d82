"""nimbus-manage: operator tasks on the database (``db``), networks
(``network``, ``floating``), a controller's first set-up (``bootstrap``)
and the configuration (``config check``)."""

import argparse
import sys

from nimbus.cli import manage_network, manage_ops
from nimbus.core import bootstrap, exception
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
    manage_network.add_parsers(sub)
    volume = sub.add_parser("volume", help="volume hosts and records")
    volume_sub = volume.add_subparsers(dest="command", required=True)
    volume_sub.add_parser(
        "hosts", help="list volume hosts: last capacity report, liveness")
    reset = volume_sub.add_parser(
        "reset-status", help="set a volume's status (unstick a volume an "
        "operation left behind; nothing on the backend changes)")
    reset.add_argument("volume_id")
    reset.add_argument("status", choices=_RESETTABLE)
    manage_ops.add_parsers(sub)
    return parser


#: statuses an operator may put a volume back to.
_RESETTABLE = ("available", "error", "in-use")


def _volume_hosts(conf, db):
    from nimbus.core.volume import scheduler
    ctx = nimbus_context.get_admin_context()
    print("host\tdriver\tzone\ttotal_gb\tfree_gb\tallocated_gb\tup")
    for row in scheduler.CapacityScheduler(conf, db).hosts(ctx):
        print(f"{row['host']}\t{row['driver']}\t{row['availability_zone']}"
              f"\t{row['total_gb']:.1f}\t{row['free_gb']:.1f}"
              f"\t{row['allocated_gb']}\t{'yes' if row['alive'] else 'no'}")


def _reset_status(db, volume_id, status):
    ctx = nimbus_context.get_admin_context()
    try:
        row = db.volumes.update_volume(ctx, volume_id, {
            "status": status, "fault_message": None})
    except exception.VolumeNotFound as err:
        print(f"{BINARY}: {err}", file=sys.stderr)
        return 1
    print(f"volume {row['id']} is {row['status']}")
    return 0


def main(argv=None):
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)

    def _main():
        conf_args = []
        for path in args.config_file:
            conf_args += ["--config-file", path]
        if args.group in manage_ops.GROUPS:
            return manage_ops.run(BINARY, conf_args, args)
        conf = bootstrap.parse_config(conf_args, BINARY,
                                      transport_url="fake://")
        db = db_setup.use_database(conf)
        if args.group in ("network", "floating", "fixed"):
            try:
                return manage_network.run(conf, db, args, print)
            except exception.NimbusException as err:
                print(f"{BINARY}: {err}", file=sys.stderr)
                return 1
        if args.group == "volume":
            if args.command == "hosts":
                _volume_hosts(conf, db)
                return 0
            return _reset_status(db, args.volume_id, args.status)
        if args.command == "sync":
            migration.sync()
            print(f"database at revision {migration.version()}")
        elif args.command == "version":
            print(migration.version() or "empty")
        elif args.command == "seed":
            from nimbus.core.volume import types as volume_types
            ctx = nimbus_context.get_admin_context()
            count = seed.seed_flavors(ctx)
            print(f"created {count} flavors")
            if volume_types.seed_default_type(conf, db, ctx):
                print(f"created volume type "
                      f"{conf.volume.default_volume_type}")
        return 0
    return bootstrap.run(BINARY, _main)
