"""Read-then-write transactions on SQLite never fail with "database is
locked" when another writer commits in between (BEGIN IMMEDIATE); file
SQLite connections are pooled."""

import threading
import time

from sqlalchemy import event as sa_event
from sqlalchemy import select, text, update

from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from nimbus.core.db import engine, models


def test_read_then_write_waits_instead_of_failing(db):
    ctx = nimbus_context.get_admin_context()
    service = db_api.services.create(ctx, {"host": "h", "binary": "b"})
    read_done, other_done = threading.Event(), threading.Event()
    errors = []

    def read_then_write():
        try:
            with engine.writer(ctx.elevated()) as session:
                session.execute(select(models.Service)).all()
                read_done.set()
                other_done.wait(2)  # the other writer goes first if it can
                session.execute(update(models.Service).values(
                    report_count=models.Service.report_count + 1))
        except Exception as err:  # pragma: no cover - the failure shown
            errors.append(err)
            read_done.set()

    def other_writer():
        read_done.wait(5)
        db_api.services.heartbeat(ctx.elevated(), service["id"])
        other_done.set()

    threads = [threading.Thread(target=read_then_write),
               threading.Thread(target=other_writer)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert time.monotonic() - start < 30
    row = db_api.services.get(ctx, service["id"])
    assert row["report_count"] == 2


def test_file_sqlite_sessions_reuse_pooled_connections_on_any_thread(db):
    """Sessions borrow connections from a pool (no open, pragmas and
    close per session), any thread may use one, and each keeps WAL and
    the busy timeout."""
    ctx = nimbus_context.get_admin_context()
    opened = []
    sa_event.listen(engine.get_engine(), "connect",
                    lambda dbapi_conn, _record: opened.append(dbapi_conn))
    for _ in range(20):
        db_api.services.get_all(ctx)
    assert len(opened) <= 1

    results, errors = [], []

    def session_on_a_thread():
        try:
            with engine.reader(ctx) as session:
                results.append((
                    session.execute(text("PRAGMA journal_mode")).scalar(),
                    session.execute(text("PRAGMA busy_timeout")).scalar()))
        except Exception as err:  # pragma: no cover - the failure shown
            errors.append(err)

    threads = [threading.Thread(target=session_on_a_thread)
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == [("wal", 30000)] * 4


def _no_busy_wait(session):
    """Make this connection fail at once where SQLite would sleep and
    retry: only the in-process turn can make such a writer wait."""
    session.execute(text("PRAGMA busy_timeout=0"))


class _Abandon(Exception):
    pass


def _writers_in_turn(first_ends):
    """A first writer holds the write lock 0.2 s and ends with
    ``first_ends(session)``; a second one begins meanwhile on a
    connection that never sleeps on SQLite's lock. Return the second's
    error (None) and how long it waited."""
    ctx = nimbus_context.get_admin_context()
    service = db_api.services.create(ctx, {"host": "h", "binary": "b"})
    holding = threading.Event()
    outcome = {}

    def first():
        try:
            with engine.writer(ctx.elevated()) as session:
                session.execute(update(models.Service).values(
                    report_count=models.Service.report_count + 1))
                holding.set()
                time.sleep(0.2)
                first_ends(session)
        except _Abandon:
            pass

    def second():
        holding.wait(5)
        with engine.reader(ctx) as session:
            _no_busy_wait(session)  # this pooled connection, next lent
        start = time.monotonic()
        try:
            db_api.services.heartbeat(ctx.elevated(), service["id"])
        except Exception as err:  # pragma: no cover - the failure shown
            outcome["error"] = err
        outcome["waited"] = time.monotonic() - start

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome.get("error"), outcome["waited"]


def test_writers_of_one_process_take_turns_without_sqlite_busy_waits(db):
    error, waited = _writers_in_turn(lambda session: None)
    assert error is None
    assert 0.1 < waited < 5


def test_the_turn_passes_on_when_a_writer_rolls_back(db):
    def abandon(session):
        raise _Abandon()
    error, waited = _writers_in_turn(abandon)
    assert error is None
    assert waited < 5


def test_the_turn_passes_on_when_a_writers_connection_is_lost(db):
    def lose(session):
        session.connection().invalidate()
        raise _Abandon()

    # The pool announces the close before it closes: SQLite still holds
    # the lost connection's write lock meanwhile (made long here, so
    # passing the turn on before the close fails every time).
    def slow_close(_dbapi_connection, _record):
        time.sleep(0.3)
    sa_event.listen(engine.get_engine(), "close", slow_close)
    try:
        error, waited = _writers_in_turn(lose)
    finally:
        sa_event.remove(engine.get_engine(), "close", slow_close)
    assert error is None
    assert waited < 5
