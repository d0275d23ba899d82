"""Read-then-write transactions on SQLite never fail with "database is
locked" when another writer commits in between (BEGIN IMMEDIATE)."""

import threading
import time

from sqlalchemy import select, update

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
