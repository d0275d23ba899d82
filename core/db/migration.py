"""Schema management: ``nimbus-manage db sync`` and ``db version``."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from nimbus.core import exception
from nimbus.core.db import engine

_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def _config():
    cfg = alembic_config.Config()
    cfg.set_main_option("script_location", _DIR)
    return cfg


def sync(revision="head"):
    """Upgrade the configured database to ``revision``."""
    cfg = _config()
    with engine.get_engine().begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def version():
    """Return the database's current revision (None if empty)."""
    with engine.get_engine().connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()


def check_current():
    """Refuse to serve from a schema older than this release's.

    A schema *newer* than ours (a revision these scripts do not know) is
    fine: during a rolling upgrade the database is synced first and older
    services keep running against it.

    :raises ConfigError: the database is empty or behind; the message
        says to run ``nimbus-manage db sync``.
    """
    current = version()
    scripts = alembic_script.ScriptDirectory.from_config(_config())
    head = scripts.get_current_head()
    if current is None:
        raise exception.ConfigError(reason=(
            "the database has no nimbus schema: run nimbus-manage db sync"))
    if current == head:
        return
    try:
        behind = {rev.revision for rev in scripts.walk_revisions(
            base=current, head=head)}
    except alembic_script.revision.RevisionError:
        return  # a revision we do not know: a newer release synced it
    if current in behind:
        raise exception.ConfigError(reason=(
            f"the database schema is at {current} but this nimbus needs "
            f"{head}: run nimbus-manage db sync"))


def autogenerate(message):
    """Write a new migration from the difference models - database."""
    cfg = _config()
    with engine.get_engine().begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)
