"""Volume status guards raced on SQLite, PostgreSQL and MariaDB: of
concurrent reserves of one volume exactly one wins (the others get a
409), a delete racing a snapshot never leaves a deleted volume with a
live snapshot, and the schema's queries work on each database."""

import concurrent.futures
import threading
import uuid

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.db import migration
from nimbus.core.db import setup as db_setup
from nimbus.core.volume import api as volume_api
from nimbus.core.volume import statuses as st
from tests import real

pytestmark = pytest.mark.real
RACERS = 8
ROUNDS = 5


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def volumes(request, nimbus_conf):
    """A VolumeAPI over a migrated database of each kind (no RPC)."""
    def build():
        handle = db_setup.use_database(nimbus_conf)
        migration.sync()
        api = volume_api.VolumeAPI(nimbus_conf, handle)
        api._rpc = _NoRPC()
        handle.volumes.report_host(
            nimbus_context.get_admin_context(), "vol-a", "fake", "nova",
            1000, 1000, {"snapshots": True})
        row = handle.services.create(nimbus_context.get_admin_context(), {
            "host": "vol-a", "binary": "nimbus-volume", "topic": "volume",
            "version": 1})
        handle.services.heartbeat(nimbus_context.get_admin_context(),
                                  row["id"])
        return api
    if request.param == "sqlite":
        yield build()
        return
    with real.database(request.param) as url:
        nimbus_conf.set_override("connection", url, "database")
        yield build()
        from nimbus.core.db import engine
        engine.reset()


class _NoRPC:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _ctx():
    return nimbus_context.RequestContext(
        user_id="u", project_id="p", roles=["member"], overwrite=False)


def _available(api):
    volume = api.create_volume(_ctx(), 1)
    db_api.volumes.update_volume(_ctx(), volume["id"],
                                 {"status": st.AVAILABLE})
    return volume["id"]


def _race(funcs):
    barrier = threading.Barrier(len(funcs))

    def run(func):
        barrier.wait()
        try:
            return func()
        except exception.NimbusException as err:
            return err
    with concurrent.futures.ThreadPoolExecutor(len(funcs)) as pool:
        return list(pool.map(run, funcs))


def test_concurrent_reserves_exactly_one_wins(volumes):
    for _ in range(ROUNDS):
        volume_id = _available(volumes)
        outcomes = _race([
            (lambda n=n, v=volume_id: volumes.reserve(_ctx(), v, f"server-{n}"))
            for n in range(RACERS)])
        winners = [o for o in outcomes if isinstance(o, dict)]
        losers = [o for o in outcomes if not isinstance(o, dict)]
        assert len(winners) == 1, outcomes
        assert all(isinstance(e, exception.VolumeInvalidState) and
                   e.code == 409 for e in losers), losers
        rows = db_api.volumes.get_attachments(_ctx(), volume_id=volume_id)
        assert [r["instance_uuid"] for r in rows] == \
            [winners[0]["server_id"]]
        assert volumes.get_volume(_ctx(), volume_id)["status"] == \
            st.ATTACHING


def test_delete_racing_snapshots_never_orphans_a_snapshot(volumes):
    for _ in range(ROUNDS):
        volume_id = _available(volumes)
        outcomes = _race(
            [lambda v=volume_id: volumes.delete_volume(_ctx(), v)] +
            [(lambda v=volume_id: volumes.create_snapshot(_ctx(), v))
             for _ in range(3)])
        deleted = outcomes[0] is None
        snapshots = db_api.volumes.get_snapshots(
            _ctx(), {"volume_id": volume_id})
        if deleted:
            assert snapshots == [], outcomes
        else:
            assert isinstance(outcomes[0], exception.VolumeIsBusy) or \
                isinstance(outcomes[0], exception.VolumeInvalidState)
            assert snapshots, outcomes


def test_detach_and_attach_transitions_are_single_winner(volumes):
    volume_id = _available(volumes)
    volumes.reserve(_ctx(), volume_id, "s")
    volumes.attach(_ctx(), volume_id, "s", "/dev/vdb")
    outcomes = _race([lambda: volumes.begin_detaching(_ctx(), volume_id)
                      for _ in range(RACERS)])
    assert outcomes.count(None) == 1, outcomes
    assert volumes.get_volume(_ctx(), volume_id)["status"] == st.DETACHING


def test_usage_and_host_queries(volumes):
    _available(volumes)
    usage = db_api.volumes.usage(_ctx(), "p")
    assert usage == {"volumes": 1, "snapshots": 0, "gigabytes": 1}
    [host] = db_api.volumes.get_hosts(_ctx())
    assert (host["host"], host["allocated_gb"]) == ("vol-a", 1)
    assert str(uuid.UUID(db_api.volumes.get_volumes(_ctx())[0]["id"]))
