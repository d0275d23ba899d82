"""Engine set-up: one enginefacade per process, SQLite as the default."""

import os

from oslo_db.sqlalchemy import enginefacade
from sqlalchemy import event

main_context_manager = enginefacade.transaction_context()
_configured = False


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


def reset():
    """Forget the engine so the next :func:`configure` starts afresh
    (for tests and tools that switch databases in one process)."""
    global main_context_manager, _configured
    if _configured:
        main_context_manager.dispose_pool()
    main_context_manager = enginefacade.transaction_context()
    _configured = False
