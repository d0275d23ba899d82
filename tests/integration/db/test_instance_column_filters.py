"""Compute API 2.83's server list filters on SQLite, PostgreSQL and
MariaDB: each database reads a column's text as Nova's MySQL does
(times to the second, numbers as digits) and searches the pattern
itself; a pattern Python compiles but the database does not is a 400
(InvalidInput), never a 500."""

import re

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.db import engine, migration
from nimbus.core.db import setup as db_setup
from tests import real
from tests.unit.db.test_instance_column_filters import check_column_filters

pytestmark = pytest.mark.real


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(request, nimbus_conf):
    if request.param == "sqlite":
        db_setup.use_database(nimbus_conf)
        migration.sync()
        yield request.param
        return
    with real.database(request.param) as url:
        nimbus_conf.set_override("connection", url, "database")
        db_setup.use_database(nimbus_conf)
        migration.sync()
        yield request.param
        engine.reset()


def test_column_filters_on_each_database(database):
    check_column_filters()


def test_a_pattern_the_database_refuses_is_invalid_input(database):
    ctx = nimbus_context.get_admin_context()
    invalid = set()
    for pattern in ("(?P<k>k)1", "(?P<k>k)(?P=k)", "\\N{DIGIT ONE}"):
        assert re.compile(pattern)               # the API lets it by
        try:
            rows = db_api.instances.get_all(ctx, {"regex": {
                "key_name": pattern}})
        except exception.InvalidInput:
            invalid.add(pattern)
        else:
            assert rows == [], pattern
    # SQLite's REGEXP is Python's; PostgreSQL has no (?P<name>...).
    assert {"sqlite": set(), "postgresql": {"(?P<k>k)1", "(?P<k>k)(?P=k)"},
            "mariadb": invalid}[database] <= invalid, invalid
    if database == "sqlite":
        assert not invalid
