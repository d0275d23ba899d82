"""Engine set-up: one enginefacade per process, SQLite as the default.

Besides the enginefacade sessions, :func:`held` lends long-lived
autocommit Core connections for the scheduler's hot path (a claim, a
cache refresh): checked out of the pool once instead of per transaction
(no pre-ping, no session, no reset-on-return), re-established after an
error. :func:`transaction` runs several statements on one atomically.

All three are the database's boundary for outages: a connection the
server refused or dropped (:func:`unreachable`) leaves them as :class:`~nimbus.core.exception.ServiceUnavailable`, which
the API answers with 503 and callers over RPC receive as such. The pool
pings a connection before lending it (oslo.db's ``pool_pre_ping``), so
once the server is back the next transaction simply reconnects.
"""

import contextlib
import os
import threading
import time

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from sqlalchemy import engine as sa_engine
from sqlalchemy import event, pool
from sqlalchemy import exc as sa_exc

from nimbus.core import exception

main_context_manager = enginefacade.transaction_context()
_configured = False
_held_lock = threading.Lock()
_writing = threading.local()  # inside a writer() block, per thread
#: held connections not in use (see :func:`held`).
_idle = []


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
    # thread_checkin: oslo.db's time.sleep(0) on each connection's
    # return, an eventlet courtesy; on threads (nimbus has no eventlet)
    # it only hands the GIL away and waits to get it back.
    options = {"connection": connection,
               "max_pool_size": conf.database.max_pool_size or 20,
               "max_overflow": conf.database.max_overflow or 20,
               "thread_checkin": False}
    if connection.startswith("sqlite"):
        options.pop("max_pool_size")
        options.pop("max_overflow")
    main_context_manager.configure(**options)
    _configured = True
    if connection.startswith("sqlite"):
        sqlite_engine = main_context_manager.writer.get_engine()
        _pool_sqlite(sqlite_engine, max(conf.database.max_pool_size or 0,
                                        SQLITE_POOL_SIZE))
        _tune_sqlite(sqlite_engine)


#: connections a file SQLite pool keeps open. ``[database]
#: max_pool_size`` (oslo.db's default: 5) is sized for a database
#: server's connection limit; nimbus-all's API and RPC threads use more
#: at once in a burst, and every connection past the pool's size was
#: opened (with its connect hooks) and closed again for each session. An
#: idle SQLite connection costs one file handle.
SQLITE_POOL_SIZE = 64


def _pool_sqlite(engine, size):
    """Keep file SQLite connections open between sessions.

    oslo.db gives file SQLite a ``NullPool``: every session opened a
    connection (the file, the pragmas of :func:`_tune_sqlite`, oslo.db's
    own connect hooks) and closed it again, the last one to close
    checkpointing the WAL: two thirds of nimbus-network's time in a boot
    burst (docs/benchmarks.md). A ``QueuePool`` without an overflow limit
    lends at most as many connections as threads use at once and never
    makes a thread wait; pysqlite connections of file databases are
    opened with ``check_same_thread=False``, so any thread may use one
    (one at a time, as the pool lends them). WAL and the busy timeout are
    per connection and stay set. ``:memory:`` databases keep oslo.db's
    ``StaticPool``.
    """
    old = engine.pool
    if not isinstance(old, pool.NullPool):
        return
    # What Pool.recreate() does, with another class: the same creator
    # and the connect/checkout listeners oslo.db registered.
    engine.pool = pool.QueuePool(
        old._creator, pool_size=size, max_overflow=-1, use_lifo=True,
        recycle=old._recycle, reset_on_return=old._reset_on_return,
        _dispatch=old.dispatch, dialect=old._dialect)
    old.dispose()


class _WriterTurn:
    """This process's writers to one SQLite file take turns on a lock
    before ``BEGIN IMMEDIATE``, and the lock passes on at their COMMIT or
    ROLLBACK.

    SQLite makes a writer that finds the write lock taken sleep and
    retry (1, 2, 5 ... up to 100 ms apart): with a dozen API and RPC
    threads writing at once the lock sat free while they slept, and
    boots waited up to a second for their turn. A writer of another
    process (``nimbus-manage``) still meets the busy timeout; a thread
    that waited ``TIMEOUT`` seconds here goes on to it too, so nothing
    waits forever that did not before.

    A writer may ask to go first (the scheduler's claims): it waits for
    the writer holding the turn, not for those queued behind it.
    """

    TIMEOUT = 30

    def __init__(self, engine):
        guard = threading.Lock()
        self._first_free = threading.Condition(guard)  # for firsts
        self._free = threading.Condition(guard)        # for the others
        self._firsts_waiting = 0
        self._holder = None
        self._taken = False
        dialect = engine.dialect
        # A connection lost (invalidated) or closed mid-transaction ends
        # it without a COMMIT or ROLLBACK of ours: the turn passes on
        # once it is closed, not at the pool's "invalidate" or "close"
        # events, which come before the close, while SQLite still holds
        # the connection's write lock.
        for name in ("do_commit", "do_rollback", "do_close", "do_terminate"):
            setattr(dialect, name, self._releasing(getattr(dialect, name)))
        event.listen(engine, "checkin",
                     lambda dbapi_connection, _: self.give(dbapi_connection))

    def take(self, dbapi_connection, first=False):
        """Wait for the turn; ``first``: before every writer waiting
        without it (the scheduler's claims: its decisions are made one
        at a time, so a claim waiting behind a queue of writers held up
        every boot behind it)."""
        deadline = time.monotonic() + self.TIMEOUT
        with self._free:
            if first:
                self._firsts_waiting += 1
            try:
                waiting = self._first_free if first else self._free
                while self._taken or (not first and self._firsts_waiting):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return  # on to SQLite's busy timeout
                    waiting.wait(left)
                self._taken = True
                self._holder = dbapi_connection
            finally:
                if first:
                    self._firsts_waiting -= 1

    def give(self, dbapi_connection):
        """Pass the turn on if ``dbapi_connection`` (or its pool proxy)
        holds it."""
        raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        if raw is None:
            return
        with self._free:
            if raw is not self._holder:
                return
            self._holder = None
            self._taken = False
            if self._firsts_waiting:
                self._first_free.notify()
            else:
                self._free.notify()

    def _releasing(self, end):
        def ended(dbapi_connection):
            try:
                end(dbapi_connection)
            finally:
                self.give(dbapi_connection)
        return ended


def _tune_sqlite(engine):
    """WAL lets readers run beside the one writer; wait for locks.

    NOTE: a deferred SQLite transaction that reads and then writes fails
    at once with "database is locked" if another connection committed in
    between (the busy timeout cannot help: its snapshot is stale). Write
    transactions therefore take the write lock up front with BEGIN
    IMMEDIATE; read transactions keep oslo.db's plain BEGIN.
    """

    # oslo.db emits its own plain BEGIN from a "begin" listener; replace
    # it with one that knows reads from writes.
    for listener in list(engine.dispatch.begin):
        if getattr(listener, "__name__", "") == "_sqlite_emit_begin":
            event.remove(engine, "begin", listener)

    turn = _WriterTurn(engine)

    def _begin(connection):
        """The dialect's ``do_begin`` (SQLAlchemy wraps what it raises as
        it does a statement's); ``connection`` is the pool's proxy. The
        BEGIN goes to the driver's connection straight: through
        SQLAlchemy's execution path it cost a tenth of every transaction
        (every read has one)."""
        if "in_transaction" in connection.info:
            return
        raw = connection.dbapi_connection
        if getattr(_writing, "active", False):
            turn.take(raw, first=getattr(_writing, "first", False))
            raw.execute("BEGIN IMMEDIATE")
        else:
            raw.execute("BEGIN")
        connection.info["in_transaction"] = True

    engine.dialect.do_begin = _begin

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def unreachable(error):
    """Whether ``error`` says the database server cannot be reached (as
    opposed to a statement it refused).

    oslo.db turns a connection the server dropped into
    ``DBConnectionError``; a connection it refuses (stopped, starting up,
    shutting down) may arrive as SQLAlchemy's ``OperationalError`` raised
    while connecting, i.e. with no statement (oslo.db's patterns miss
    recent libpq's "connection to server ... failed" wording).
    """
    if isinstance(error, db_exc.DBConnectionError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or (
            isinstance(error, sa_exc.OperationalError)
            and error.statement is None)
    return False


@contextlib.contextmanager
def _unavailable_on_disconnect():
    """Turn a lost or refused database connection into
    :class:`ServiceUnavailable`; every other error passes unchanged."""
    try:
        yield
    except (db_exc.DBError, sa_exc.DBAPIError) as err:
        if unreachable(err):
            raise exception.ServiceUnavailable(backend="database") from err
        raise


def get_engine():
    return main_context_manager.writer.get_engine()


@contextlib.contextmanager
def writer(context, connection=False):
    """``with writer(ctx) as session``: a read-write transaction.

    On SQLite it begins with ``BEGIN IMMEDIATE`` (see :func:`_tune_sqlite`).

    :param connection: yield a Core connection, not an ORM session, for
        a block that runs only Core statements (see :func:`reader`).
    """
    previous = getattr(_writing, "active", False)
    _writing.active = True
    try:
        with _unavailable_on_disconnect(), \
                _scope(main_context_manager.writer, connection).using(
                    context) as session:
            yield session
    finally:
        _writing.active = previous


def in_writer():
    """Whether this thread is inside a :func:`writer` block (a writer
    opened now joins its transaction: a failed statement there may have
    ended the whole of it, PostgreSQL's way, so a retry belongs to the
    caller that opened it)."""
    return getattr(_writing, "active", False)


@contextlib.contextmanager
def reader(context, connection=False):
    """``with reader(ctx) as session``: a read-only transaction.

    :param connection: yield a Core connection (``execute``,
        ``scalars``), not an ORM session, for a block that runs only
        Core statements: a transaction without a session cost a third
        less (a boot has seven). Inside a block of the other kind the
        transaction is the same one either way (oslo.db's enginefacade
        lends the session's connection, or binds a session to the
        connection).
    """
    with _unavailable_on_disconnect(), \
            _scope(main_context_manager.reader, connection).using(
                context) as session:
        yield session


def _scope(manager, connection):
    return manager.connection if connection else manager


def dialect_of(session):
    """The dialect behind ``session``: an ORM session or, from a
    ``connection=True`` block, a Core connection."""
    if isinstance(session, sa_engine.Connection):
        return session.dialect
    return session.get_bind().dialect


def _connect():
    conn = get_engine().connect()
    if conn.dialect.name != "sqlite":
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def _close(conn):
    """Close ``conn`` for good (its DBAPI connection is not pooled)."""
    with contextlib.suppress(Exception):
        conn.invalidate()


#: a held connection idle longer than this is pinged before it is lent:
#: the server may have restarted meanwhile. One in steady use is not.
_PING_AFTER_IDLE = 1.0


def _alive(conn):
    """Whether ``conn`` still reaches its server (a ``SELECT 1``)."""
    try:
        conn.exec_driver_sql("SELECT 1")
    except (sa_exc.SQLAlchemyError, db_exc.DBError):
        return False
    return True


def _take():
    """Return an idle held connection of the current engine, or a new
    one. A connection idle for more than a second is pinged first, so the
    first statement after a database restart does not fail on a
    connection the old server dropped."""
    with _held_lock:
        conn = _idle.pop() if _idle else None
    if conn is not None and (conn.invalidated or conn.closed
                             or conn.engine is not get_engine()):
        _close(conn)
        conn = None
    if conn is not None and conn.dialect.name != "sqlite" and \
            time.monotonic() - conn.info.get("nimbus_idle_since", 0) > \
            _PING_AFTER_IDLE and not _alive(conn):
        _close(conn)
        conn = None
    return conn if conn is not None else _connect()


@contextlib.contextmanager
def held(write=False, first=False):
    """``with held() as conn``: a long-lived autocommit Core connection.

    Connections are kept in a small LIFO stack, so there are only as many
    as threads use them at once (one per scheduler process: decisions are
    serialised). Each statement commits on its own unless inside
    :func:`transaction` (on SQLite, whose transactions oslo.db drives,
    the whole block is one transaction). A database error closes the
    connection (a new one is opened when next needed) and propagates;
    other exceptions leave it in use.

    :param write: the block writes. On SQLite its transaction then takes
        this process's writer turn and begins ``BEGIN IMMEDIATE``, as a
        :func:`writer` does; a deferred one would meet a busy write lock
        in SQLite's sleeping busy handler instead.
    :param first: with ``write``, take the writer turn before the writers
        waiting without it (see ``_WriterTurn.take``).
    """
    with _unavailable_on_disconnect():
        conn = _take()
    try:
        if conn.dialect.name == "sqlite":
            with _begun(conn, write, first):
                yield conn
        else:
            yield conn
    except (sa_exc.SQLAlchemyError, db_exc.DBError) as err:
        _close(conn)
        if unreachable(err):
            raise exception.ServiceUnavailable(backend="database") from err
        raise
    except BaseException:
        _give_back(conn)
        raise
    _give_back(conn)


@contextlib.contextmanager
def _begun(conn, write, first=False):
    """``conn.begin()``, as a writer's transaction if ``write`` (the
    "begin" listener of :func:`_tune_sqlite` reads the flags)."""
    previous = getattr(_writing, "active", False), \
        getattr(_writing, "first", False)
    _writing.active, _writing.first = write, write and first
    try:
        transaction = conn.begin()
    finally:
        _writing.active, _writing.first = previous
    with transaction:
        yield


def _give_back(conn):
    conn.info["nimbus_idle_since"] = time.monotonic()
    with _held_lock:
        _idle.append(conn)


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
        idle = list(_idle)
        del _idle[:]
    for conn in idle:
        _close(conn)
    if _configured:
        main_context_manager.dispose_pool()
    main_context_manager = enginefacade.transaction_context()
    _configured = False
