"""``nimbus-manage db sync`` on SQLite, PostgreSQL and MariaDB, and the
models agree with the migrations on each."""

import os
import subprocess
import sys

import pytest
import sqlalchemy
from alembic import autogenerate
from alembic import migration as alembic_migration

from nimbus.core.db import models
from tests import real

pytestmark = pytest.mark.real


def _sync(tmp_path, url):
    conf = tmp_path / "manage.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n"
                    f"[database]\nconnection = {url}\n")
    manage = os.path.join(os.path.dirname(sys.executable), "nimbus-manage")
    out = subprocess.run([manage, "--config-file", str(conf), "db", "sync"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _diff(url):
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = alembic_migration.MigrationContext.configure(
                conn, opts={"compare_type": True})
            return autogenerate.compare_metadata(ctx, models.Base.metadata)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mariadb"])
def test_sync_builds_the_schema_models_agree(kind, tmp_path):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path}/nimbus.sqlite"
        stdout = _sync(tmp_path, url)
        diff = _diff(url)
    else:
        with real.database(kind) as url:
            stdout = _sync(tmp_path, url)
            diff = _diff(url)
            assert "database at revision" in _sync(tmp_path, url)
    assert "database at revision" in stdout
    assert diff == [], diff
