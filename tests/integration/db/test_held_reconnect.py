"""A held connection (the scheduler's claim path) whose server dropped it
while it sat idle, as a database restart does, is replaced before it is
lent: the first claim after the restart succeeds instead of failing the
build with "the database does not answer"."""

import pytest
import sqlalchemy

from nimbus.core.db import engine
from nimbus.core.db import setup as db_setup
from tests import real

pytestmark = pytest.mark.real


@pytest.fixture(params=["postgresql", "mariadb"])
def db_url(request, nimbus_conf):
    with real.database(request.param) as url:
        nimbus_conf.set_override("connection", url, "database")
        db_setup.use_database(nimbus_conf)
        try:
            yield url
        finally:
            engine.reset()


def _drop_server_side(url, conn):
    """Kill ``conn``'s session from another connection, as a server
    restart would."""
    if conn.dialect.name == "postgresql":
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        sql = f"SELECT pg_terminate_backend({int(pid)})"
    else:
        pid = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar()
        sql = f"KILL {int(pid)}"
    admin = sqlalchemy.create_engine(url)
    try:
        with admin.connect() as other:
            other.exec_driver_sql(sql)
    finally:
        admin.dispose()


def test_an_idle_connection_the_server_dropped_is_replaced(db_url):
    with engine.held() as conn:
        conn.exec_driver_sql("SELECT 1")
        _drop_server_side(db_url, conn)
    # It sat idle past the ping threshold (a restart takes seconds).
    conn.info["nimbus_idle_since"] -= 2 * engine._PING_AFTER_IDLE
    with engine.held() as again:
        assert again.exec_driver_sql("SELECT 1").scalar() == 1
