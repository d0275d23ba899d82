"""``nimbus-manage bootstrap`` and ``nimbus-manage config check``.

* ``bootstrap --admin-password PW --write-clouds-yaml PATH``: what
  nimbus-all does for itself, for a controller of a multi-host
  deployment (schema, default flavors, demo image, the admin user and
  project, a clouds.yaml); idempotent;
* ``config check [--role controller|compute|all]``: one line per problem
  in the configuration (required options, plugin names, broker and
  database reachability); exit 1 when there is any.
"""

import os
import socket

from nimbus.cli import config_check
from nimbus.core import bootstrap, exception
from nimbus.core import context as nimbus_context

GROUPS = ("bootstrap", "config")


def add_parsers(sub):
    boot = sub.add_parser(
        "bootstrap", help="prepare a controller: schema, flavors, demo "
                          "image, admin user, clouds.yaml (idempotent)")
    boot.add_argument("--admin-password", required=True,
                      help="password of the 'admin' user (auth_strategy "
                           "nimbus); an existing admin must already have it")
    boot.add_argument("--write-clouds-yaml", metavar="PATH",
                      help="write a clouds.yaml (mode 0600) for cloud "
                           "'nimbus' here")
    boot.add_argument("--api-url",
                      help="the API's URL clients use (default: [api] "
                           "public_endpoint, else this host and [api] "
                           "bind_port)")
    boot.add_argument("--no-demo-image", action="store_true",
                      help="do not create the 'demo' image")
    boot.set_defaults(command="bootstrap")
    config = sub.add_parser("config", help="configuration")
    config_sub = config.add_subparsers(dest="command", required=True)
    check = config_sub.add_parser(
        "check", help="one line per problem; exit 1 if there is any")
    check.add_argument("--role", choices=config_check.ROLES,
                       default="controller",
                       help="what the file configures (default controller)")


def run(binary, conf_args, args):
    """Run ``bootstrap`` or ``config check``; return the exit status."""
    if args.group == "config":
        # No fake:// default here: a missing transport_url is a finding.
        return _config_check(bootstrap.parse_config(conf_args, binary),
                             args)
    conf = bootstrap.parse_config(conf_args, binary,
                                  transport_url="fake://")
    from nimbus.core.db import setup as db_setup
    return _bootstrap(conf, db_setup.use_database(conf), args)


def _config_check(conf, args):
    found = config_check.problems(conf, args.role)
    files = ", ".join(args.config_file) or "default config files"
    for line in found:
        print(f"{files}: {line}")
    if not found:
        print(f"{files}: no problems found (role {args.role})")
    return 1 if found else 0


def api_url(conf, given=None):
    """The URL clients reach the API at."""
    if given:
        return given.rstrip("/")
    if conf.api.public_endpoint:
        return conf.api.public_endpoint.rstrip("/")
    host = conf.api.bind_host
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()
    return f"http://{host}:{conf.api.bind_port}"


def _bootstrap(conf, db, args):
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.core.db import migration, seed
    from nimbus.core.identity import manage as identity_manage
    from nimbus.core.identity import passwords
    ctx = nimbus_context.get_admin_context()
    migration.sync()
    print(f"database at revision {migration.version()}")
    print(f"created {seed.seed_flavors(ctx)} flavors")
    from nimbus.core.volume import types as volume_types
    if volume_types.seed_default_type(conf, db, ctx):
        print(f"created volume type {conf.volume.default_volume_type}")
    if not args.no_demo_image and all_daemon.seed_demo_image(conf, ctx):
        print("demo image present")
    if conf.api.auth_strategy == "nimbus":
        admin = identity_manage.IdentityAdmin(conf, db).bootstrap(
            ctx, args.admin_password)
        if not passwords.check_password(args.admin_password,
                                        admin["password_hash"]):
            raise exception.ConfigError(reason=(
                "user 'admin' already exists with another password; give "
                "that one, or change it with: nimbus user set admin "
                "--password ..."))
        print("admin user and project present")
    conf.set_override("admin_password", args.admin_password,
                      group="identity")
    if args.write_clouds_yaml:
        clouds = all_daemon.clouds_yaml(conf, api_url(conf, args.api_url))
        if clouds is None:
            print("auth_strategy keystone: credentials come from Keystone; "
                  "no clouds.yaml written")
        else:
            _write(args.write_clouds_yaml, clouds)
            print(f"wrote {args.write_clouds_yaml} (cloud 'nimbus')")
    return 0


def _write(path, clouds):
    import yaml
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(clouds, f, sort_keys=False)
