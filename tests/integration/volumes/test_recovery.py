"""nimbus-volume killed in the middle of a create, over real RabbitMQ and
PostgreSQL: after its restart no volume stays ``creating`` beyond
``[volume] operation_timeout`` (here the create's volume is failed with
a fault), and the restarted service serves new requests."""

import time

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import rpc
from nimbus.core.db import setup as db_setup
from nimbus.core.volume import api as volume_api
from nimbus.core.volume import statuses as st
from tests import real
from tests.integration.procs import Deployment, wait_until

pytestmark = pytest.mark.real

TIMEOUT = 4


@pytest.fixture
def deployment(tmp_path, nimbus_conf):
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.database("postgresql") as db_url:
        dep = Deployment(tmp_path, transport_url, db_url, extra={
            "volume": {"driver": "fake", "target": "fake",
                       "operation_timeout": TIMEOUT,
                       "recovery_interval": 1,
                       "capacity_report_interval": 1},
            "volume_fake": {"create_delay": 30},
        })
        try:
            dep.manage("db", "sync")
            nimbus_conf.set_override("transport_url", transport_url)
            nimbus_conf.set_override("connection", db_url, "database")
            nimbus_conf.set_override("rpc_timeout", 10, "volume")
            rpc.cleanup()  # the fixture's fake:// transport
            rpc.init(nimbus_conf)
            handle = db_setup.use_database(nimbus_conf)
            api = volume_api.VolumeAPI(nimbus_conf, handle)
            yield dep, api, handle
        finally:
            dep.stop_all()


def _ctx():
    return nimbus_context.RequestContext(
        user_id="u", project_id="p", roles=["member"], overwrite=False)


def _status(api, volume_id):
    return api.get_volume(_ctx(), volume_id)["status"]


def _reported(handle):
    admin = nimbus_context.get_admin_context()
    return [h for h in handle.volumes.get_hosts(admin)
            if h["host"] == "vol-a"]


def test_kill_during_create_then_restart_recovers(deployment):
    dep, api, handle = deployment
    dep.start("vol-a", "nimbus-volume", host="vol-a")
    wait_until(lambda: _reported(handle), 60, message="capacity report")
    # services table: the volume service is up
    wait_until(lambda: api.scheduler.hosts(_ctx())[0]["alive"], 30,
               message="volume service up")

    volume = api.create_volume(_ctx(), 1, name="interrupted")
    assert volume["status"] == st.CREATING
    assert volume["os-vol-host-attr:host"] == "vol-a"
    # the manager is inside the 30 s create
    wait_until(lambda: f"Creating volume {volume['id']}" in
               dep.log("vol-a"), 30, message="the create to start")
    dep.kill("vol-a")
    assert _status(api, volume["id"]) == st.CREATING

    dep.start("vol-a", "nimbus-volume", host="vol-a")
    started = time.monotonic()
    wait_until(lambda: _status(api, volume["id"]) != st.CREATING,
               TIMEOUT + 30, message="the interrupted create recovered")
    shown = api.get_volume(_ctx(), volume["id"])
    assert shown["status"] == st.ERROR
    assert "stopped while creating" in shown["fault"]
    assert time.monotonic() - started < TIMEOUT + 30
    assert "recovering it" in dep.log("vol-a")

    # the restarted service works: a delete of the failed volume goes
    # through it, and the record is gone
    api.delete_volume(_ctx(), volume["id"])
    wait_until(lambda: not api.list_volumes(_ctx()), 30,
               message="the delete")
