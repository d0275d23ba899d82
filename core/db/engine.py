"""Engine set-up: one enginefacade per process, SQLite as the default.

Besides the enginefacade sessions, :func:`held` lends each thread one
long-lived autocommit Core connection for the scheduler's hot path (a
claim, a cache refresh): checked out once instead of per transaction
(no pre-ping, no session, no reset-on-return), re-established after an
error. :func:`transaction` runs several statements on it atomically.
"""

import contextlib
import os
import threading

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

main_context_manager = enginefacade.transaction_context()
_configured = False
_local = threading.local()
_held_lock = threading.Lock()
_held_all = []


def default_connection(conf):
    return "sqlite:///" + os.path.join(conf.state_path, "nimbus.sqlite")


def configure(conf):
    """Point the enginefacade at ``[database] connection`` (once)."""
    global _configured
    if _configured:
        return
    connection = conf.database.connection or default_connection(conf)
    if connection.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(connection[len("sqlite:///"):]) or ".",
                    exist_ok=True)
    options = {"connection": connection,
               "max_pool_size": conf.database.max_pool_size or 20,
               "max_overflow": conf.database.max_overflow or 20}
    if connection.startswith("sqlite"):
        options.pop("max_pool_size")
        options.pop("max_overflow")
    main_context_manager.configure(**options)
    _configured = True
    if connection.startswith("sqlite"):
        _tune_sqlite(main_context_manager.writer.get_engine())


def _tune_sqlite(engine):
    """WAL lets readers run beside the one writer; wait for locks."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def get_engine():
    return main_context_manager.writer.get_engine()


def writer(context):
    """``with writer(ctx) as session``: a read-write transaction."""
    return main_context_manager.writer.using(context)


def reader(context):
    """``with reader(ctx) as session``: a read-only transaction."""
    return main_context_manager.reader.using(context)


def _connect():
    conn = get_engine().connect()
    if conn.dialect.name != "sqlite":
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
    with _held_lock:
        _held_all.append(conn)
    return conn


def _drop(conn):
    """Close ``conn`` for good (its DBAPI connection is not pooled)."""
    with _held_lock:
        if conn in _held_all:
            _held_all.remove(conn)
    with contextlib.suppress(Exception):
        conn.invalidate()
    if getattr(_local, "conn", None) is conn:
        _local.conn = None


@contextlib.contextmanager
def held():
    """``with held() as conn``: this thread's autocommit connection.

    Each statement commits on its own unless inside :func:`transaction`
    (on SQLite, whose transactions oslo.db drives, the whole block is one
    transaction). A database error drops the connection (the next call
    opens a new one) and propagates; other exceptions leave it in place.
    """
    conn = getattr(_local, "conn", None)
    if conn is None or conn.invalidated or conn.closed:
        conn = _local.conn = _connect()
    try:
        if conn.dialect.name == "sqlite":
            with conn.begin():
                yield conn
        else:
            yield conn
    except (sa_exc.SQLAlchemyError, db_exc.DBError):
        _drop(conn)
        raise


@contextlib.contextmanager
def transaction(conn):
    """``with transaction(conn):`` BEGIN ... COMMIT on a :func:`held`
    connection; ROLLBACK on any exception. (On SQLite the enclosing
    :func:`held` block already is the transaction.)"""
    if conn.dialect.name == "sqlite":
        yield conn
        return
    conn.exec_driver_sql("BEGIN")
    try:
        yield conn
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")


def reset():
    """Forget the engine so the next :func:`configure` starts afresh
    (for tests and tools that switch databases in one process)."""
    global main_context_manager, _configured
    with _held_lock:
        held_all = list(_held_all)
    for conn in held_all:
        _drop(conn)
    if _configured:
        main_context_manager.dispose_pool()
    main_context_manager = enginefacade.transaction_context()
    _configured = False
