"""Schema management: ``nimbus-manage db sync`` and ``db version``."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration

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


def autogenerate(message):
    """Write a new migration from the difference models - database."""
    cfg = _config()
    with engine.get_engine().begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)
