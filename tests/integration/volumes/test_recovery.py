"""nimbus-volume killed in the middle of a create, over real RabbitMQ and
PostgreSQL: the restarted service settles the interrupted create at once.
Restarted within ``[volume] operation_timeout`` it makes the volume
again (the build or user waiting for it goes on); restarted later it
fails it with a fault. Either way no volume stays ``creating``, and the
restarted service serves new requests."""

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

TIMEOUT = 15


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


def _interrupted_create(dep, api, handle, name):
    """Start vol-a, begin a (30 s) create on it and SIGKILL it inside."""
    dep.start("vol-a", "nimbus-volume", host="vol-a")
    wait_until(lambda: _reported(handle), 60, message="capacity report")
    # services table: the volume service is up
    wait_until(lambda: api.scheduler.hosts(_ctx())[0]["alive"], 30,
               message="volume service up")
    seen = len(dep.log("vol-a"))
    volume = api.create_volume(_ctx(), 1, name=name)
    assert volume["status"] == st.CREATING
    assert volume["os-vol-host-attr:host"] == "vol-a"
    # the manager is inside the 30 s create
    wait_until(lambda: f"Creating volume {volume['id']}" in
               dep.log("vol-a")[seen:], 30, message="the create to start")
    dep.kill("vol-a")
    assert _status(api, volume["id"]) == st.CREATING
    return volume


def test_kill_during_create_then_prompt_restart_makes_it_again(deployment):
    dep, api, handle = deployment
    volume = _interrupted_create(dep, api, handle, "remade")
    dep.start("vol-a", "nimbus-volume", host="vol-a",
              extra={"volume_fake": {"create_delay": 0}})
    started = time.monotonic()
    wait_until(lambda: _status(api, volume["id"]) != st.CREATING, 30,
               message="the interrupted create made again")
    assert _status(api, volume["id"]) == st.AVAILABLE
    assert time.monotonic() - started < TIMEOUT
    assert f"Making volume {volume['id']} again" in dep.log("vol-a")


def test_kill_during_create_then_late_restart_fails_it(deployment):
    dep, api, handle = deployment
    volume = _interrupted_create(dep, api, handle, "interrupted")
    time.sleep(TIMEOUT + 1)          # past the create's deadline
    dep.start("vol-a", "nimbus-volume", host="vol-a")
    started = time.monotonic()
    wait_until(lambda: _status(api, volume["id"]) != st.CREATING, 30,
               message="the interrupted create recovered")
    shown = api.get_volume(_ctx(), volume["id"])
    assert shown["status"] == st.ERROR
    assert "stopped while creating" in shown["fault"]
    assert time.monotonic() - started < 30
    assert "recovering it" in dep.log("vol-a")

    # the restarted service works: a delete of the failed volume goes
    # through it, and the record is gone
    api.delete_volume(_ctx(), volume["id"])
    wait_until(lambda: not api.list_volumes(_ctx()), 30,
               message="the delete")
