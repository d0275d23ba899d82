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


def _heartbeat(ctx):
    """The second writer of :func:`_writers_in_turn`: a session's."""
    service = db_api.services.create(ctx, {"host": "h", "binary": "b"})
    with engine.reader(ctx) as session:
        _no_busy_wait(session)  # this pooled connection, next lent
    return lambda: db_api.services.heartbeat(ctx.elevated(), service["id"])


def _claim(ctx):
    """The second writer of :func:`_writers_in_turn`: the scheduler's
    claim, on a held connection."""
    node = db_api.compute_nodes.report_inventory(ctx, "h", "h", {
        "hypervisor_type": "fake", "hypervisor_version": 1, "vcpus": 4,
        "memory_mb": 4096, "local_gb": 100})
    with engine.held() as conn:  # this held connection, next lent
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
    return lambda: db_api.compute_nodes.claim(
        ctx, node["id"], node["generation"], "c1", 1, 512, 1)


def _writers_in_turn(first_ends, second_writer=_heartbeat):
    """A first writer holds the write lock 0.2 s and ends with
    ``first_ends(session)``; a second one (made by
    ``second_writer(ctx)``) begins meanwhile on a connection that never
    sleeps on SQLite's lock. Return the second's error (None) and how
    long it waited."""
    ctx = nimbus_context.get_admin_context()
    write = second_writer(ctx)
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
        start = time.monotonic()
        try:
            write()
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


def test_the_schedulers_claim_takes_its_turn_too(db):
    """A claim on a held connection waits for the turn (before, its
    deferred BEGIN met the lock in SQLite's sleeping busy handler: 15 ms
    per claim in a burst, behind the scheduler's one decision lock)."""
    error, waited = _writers_in_turn(lambda session: None, _claim)
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


def test_the_schedulers_claim_goes_before_writers_already_waiting(db):
    """Decisions are made one at a time: a claim waits for the writer
    that holds the turn, not for the queue behind it."""
    ctx = nimbus_context.get_admin_context()
    claim = _claim(ctx)
    services = [db_api.services.create(ctx, {"host": f"h{i}", "binary": "b"})
                for i in range(3)]
    holding, release = threading.Event(), threading.Event()
    order, lock = [], threading.Lock()

    def holder():
        with engine.writer(ctx.elevated()) as session:
            session.execute(update(models.Service).values(
                report_count=models.Service.report_count + 1))
            holding.set()
            release.wait(10)

    def writer(service):
        db_api.services.heartbeat(ctx.elevated(), service["id"])
        with lock:
            order.append(service["host"])

    def claimer():
        claim()
        with lock:
            order.append("claim")

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    holding.wait(5)
    for service in services:   # three writers queue up first
        threads.append(threading.Thread(target=writer, args=(service,)))
        threads[-1].start()
        time.sleep(0.05)
    threads.append(threading.Thread(target=claimer))
    threads[-1].start()
    time.sleep(0.1)
    release.set()
    for thread in threads:
        thread.join(30)
    assert order[0] == "claim", order
    assert sorted(order[1:]) == ["h0", "h1", "h2"]


def test_a_write_transaction_holds_the_write_lock_from_its_begin(db):
    """Writers begin IMMEDIATE (a writer of another process cannot slip
    in between their read and their write); readers begin deferred and
    hold no lock."""
    import sqlite3
    ctx = nimbus_context.get_admin_context()
    path = engine.get_engine().url.database

    def other_process_can_write():
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as err:
            assert "locked" in str(err)
            return False
        finally:
            other.close()

    with engine.writer(ctx) as session:
        session.execute(select(models.Service)).all()
        assert not other_process_can_write()
    with engine.reader(ctx) as session:
        session.execute(select(models.Service)).all()
        assert other_process_can_write()
    assert other_process_can_write()
