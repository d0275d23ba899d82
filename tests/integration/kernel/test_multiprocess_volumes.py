"""Volumes with every service its own OS process over RabbitMQ and
PostgreSQL: the compute has no database, so attach, detach, block
devices at boot and the release of a deleted server's volumes all reach
the volume service through conductor (``VolumeConnection``), which the
in-process stack never exercises."""

import concurrent.futures

import pytest
import requests

from tests import real
from tests.integration.kernel.test_multiprocess import (
    DEMO_IMAGE,
    _seed_image,
)
from tests.integration.procs import Deployment, wait_until

pytestmark = pytest.mark.real
HOST = "cmp-v"


@pytest.fixture
def deployment(tmp_path):
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.database("postgresql") as db_url:
        dep = Deployment(tmp_path, transport_url, db_url, extra={
            "volume": {"capacity_report_interval": 1},
            "quota": {"volumes": -1, "gigabytes": -1}})
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep)
            dep.start("conductor", "nimbus-conductor")
            dep.start("scheduler", "nimbus-scheduler")
            dep.start("volume", "nimbus-volume", host="stor-1")
            dep.start_compute(HOST)
            dep.start("api", "nimbus-api")
            dep.wait_api()
            yield dep
        finally:
            dep.stop_all()
            for name in (HOST, "conductor", "volume"):
                assert "DBNotAllowed" not in dep.log(name)


def _status(conn, volume_id, want, timeout=60):
    def check():
        volume = conn.block_storage.get_volume(volume_id)
        assert not volume.status.startswith("error"), volume
        return volume if volume.status == want else None
    return wait_until(check, timeout, message=f"{volume_id} {want}")


def _volume(conn, size=1):
    volume = wait_until(lambda: _create(conn, size), 60,
                        message="a volume host to report")
    return _status(conn, volume.id, "available")


def _create(conn, size):
    volume = conn.block_storage.create_volume(size=size)
    volume = conn.block_storage.get_volume(volume.id)
    if volume.status == "error":  # no capacity report yet
        conn.block_storage.delete_volume(volume)
        return None
    return volume


def _server(conn, **kwargs):
    # No network service in this deployment: no NIC (2.37's "none").
    kwargs.setdefault("networks", "none")
    server = conn.compute.create_server(name="mp", image_id=DEMO_IMAGE,
                                        flavor_id="1", **kwargs)
    return conn.compute.wait_for_server(server, wait=90, interval=0.3)


def test_volumes_through_conductor(deployment):
    conn = deployment.sdk()
    # Boot only once the compute has reported its node (else: no host).
    wait_until(lambda: list(conn.compute.hypervisors()), 60,
               message="the compute host reported")
    server = _server(conn)
    volume = _volume(conn)
    conn.compute.create_volume_attachment(server, volume=volume.id)
    attached = _status(conn, volume.id, "in-use")
    assert attached.attachments[0]["server_id"] == server.id
    assert attached.attachments[0]["host_name"] == HOST
    conn.compute.delete_volume_attachment(server, volume.id)
    _status(conn, volume.id, "available")

    # Two attaches of one volume at once: one wins.
    other = _server(conn)
    url = f"{deployment.url}/v2.1/servers/%s/os-volume_attachments"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(lambda s: requests.post(
            url % s, json={"volumeAttachment": {"volumeId": volume.id}},
            headers={"X-Auth-Token": "admin:admin"}, timeout=30
        ).status_code, (server.id, other.id)))
    assert codes == [200, 409]
    _status(conn, volume.id, "in-use")

    # Blank and existing volumes at boot; deleting the server deletes
    # the blank one (delete_on_termination) and frees the other.
    given = _volume(conn)
    booted = _server(conn, block_device_mapping=[
        {"uuid": given.id, "source_type": "volume",
         "destination_type": "volume"},
        {"source_type": "blank", "destination_type": "volume",
         "volume_size": 1, "delete_on_termination": True}])
    ids = {a.volume_id for a in conn.compute.volume_attachments(booted)}
    assert given.id in ids and len(ids) == 2
    (blank,) = ids - {given.id}
    _status(conn, blank, "in-use")
    conn.compute.delete_server(booted)
    conn.compute.wait_for_delete(booted, wait=60, interval=0.3)
    _status(conn, given.id, "available")
    wait_until(lambda: blank not in {v.id for v in
                                     conn.block_storage.volumes()},
               60, message="the blank volume deleted")
    # And the server holding the raced volume lets it go when deleted.
    holder = [s for s in (server, other)
              if conn.block_storage.get_volume(volume.id).attachments[0][
                  "server_id"] == s.id][0]
    conn.compute.delete_server(holder)
    conn.compute.wait_for_delete(holder, wait=60, interval=0.3)
    _status(conn, volume.id, "available")
