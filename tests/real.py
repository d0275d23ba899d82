"""Fresh, isolated real components for one test run.

Each helper creates something private (a RabbitMQ vhost, a PostgreSQL or
MariaDB database), hands back its URL and removes it afterwards. Missing
components raise: tests that need them fail, they never skip.
"""

import contextlib
import subprocess
import uuid

import sqlalchemy

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/"
RABBIT = "rabbit://guest:guest@127.0.0.1:5672/"


def _name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def postgresql_database():
    """Yield the URL of a new PostgreSQL database; drop it afterwards."""
    name = _name("nimbus_test")
    admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def mariadb_database():
    """Yield the URL of a new MariaDB database; drop it afterwards."""
    name = _name("nimbus_test")
    admin = sqlalchemy.create_engine(MARIADB_ADMIN)
    with admin.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE DATABASE `{name}`"))
    try:
        yield (f"mysql+pymysql://root@127.0.0.1:3306/{name}"
               "?charset=utf8mb4")
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@contextlib.contextmanager
def database(kind):
    with {"postgresql": postgresql_database,
          "mariadb": mariadb_database}[kind]() as url:
        yield url


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True,
                          capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def rabbit_vhost():
    """Yield a transport URL on a new RabbitMQ vhost; delete it after."""
    vhost = _name("nimbus_test")
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*",
                    ".*")
        yield RABBIT + vhost, vhost
    finally:
        rabbitmqctl("delete_vhost", vhost)
