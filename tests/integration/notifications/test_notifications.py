"""Versioned notifications on real RabbitMQ: api, conductor, scheduler
and two computes as separate processes (PostgreSQL), driven with
openstacksdk, the notifications read with an oslo.messaging notification
listener as an operator's consumer would.

``cmp-ok`` builds; ``cmp-bad`` (alone in the zone ``bad-zone``) fails
every spawn (the fake hypervisor's injected failure), so a server booted
there ends with ``instance.create.error``.
"""

import collections
import queue

import pytest
from oslo_config import cfg

from tests import real
from tests.integration.kernel.test_multiprocess import (
    DEMO_IMAGE,
    _seed_image,
)
from tests.integration.procs import Deployment, wait_until

pytestmark = pytest.mark.real

HOSTS = ("cmp-ok", "cmp-bad")
TOPIC = "versioned_notifications"
EXTRA = {
    "oslo_messaging_notifications": {"driver": "messagingv2"},
    "notifications": {"notify_on_state_change": "vm_and_task_state"},
    "fake": {"fail_hosts": "cmp-bad", "fail_ops": "spawn"},
}


class Collector:
    """Listener endpoint keeping every notification it is handed."""

    def __init__(self):
        self.got = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.got.put(("INFO", publisher_id, event_type, payload))

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.got.put(("ERROR", publisher_id, event_type, payload))


@pytest.fixture
def deployment(tmp_path):
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.database("postgresql") as db_url:
        dep = Deployment(tmp_path, transport_url, db_url, extra=EXTRA)
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep)
            dep.start("conductor", "nimbus-conductor")
            dep.start("scheduler", "nimbus-scheduler")
            for host in HOSTS:
                dep.start_compute(host)
            dep.start("api", "nimbus-api")
            dep.wait_api()
            yield dep
        finally:
            dep.stop_all()


@pytest.fixture
def listener(deployment):
    """A notification listener on the deployment's vhost, started before
    anything is booted (its queues exist from then on)."""
    # nimbus.core first: it picks oslo.service's threading backend.
    import nimbus.core  # noqa: F401
    # isort: split
    import oslo_messaging as messaging
    transport = messaging.get_notification_transport(
        cfg.CONF, url=deployment.transport_url)
    collector = Collector()
    server = messaging.get_notification_listener(
        transport, [messaging.Target(topic=TOPIC, exchange="nimbus")],
        [collector], executor="threading")
    server.start()
    try:
        yield Notifications(collector)
    finally:
        server.stop()
        server.wait()
        transport.cleanup()


class Notifications:
    """What the listener received, per server, in arrival order."""

    def __init__(self, collector):
        self._collector = collector
        self.seen = []

    def _drain(self):
        while True:
            try:
                self.seen.append(self._collector.got.get_nowait())
            except queue.Empty:
                return

    def of(self, uuid):
        self._drain()
        return [(prio, pub, event, payload["nova_object.data"])
                for prio, pub, event, payload in self.seen
                if payload["nova_object.data"]["uuid"] == uuid]

    def wait_for(self, uuid, event_type, timeout=60):
        return wait_until(
            lambda: [n for n in self.of(uuid) if n[2] == event_type],
            timeout, message=f"{event_type} of {uuid}")


def _ready(conn):
    states = {s.host: s.state for s in conn.compute.services()
              if s.binary == "nova-compute"}
    return all(states.get(h) == "up" for h in HOSTS) and \
        len(list(conn.compute.hypervisors())) == len(HOSTS)


def _status(conn, server_id, wanted):
    server = conn.compute.get_server(server_id)
    return server if server.status == wanted else None


def _gone(conn, server_id):
    return server_id not in {s.id for s in conn.compute.servers()}


def test_boot_delete_and_failed_build_notify(deployment, listener):
    conn = deployment.sdk()
    wait_until(lambda: _ready(conn), 90, message="computes up")
    bad = conn.compute.create_aggregate(name="bad",
                                        availability_zone="bad-zone")
    conn.compute.add_host_to_aggregate(bad, "cmp-bad")

    ok = conn.compute.create_server(name="audited", image_id=DEMO_IMAGE,
                                    flavor_id="1", availability_zone="nova",
                                    networks="none")
    wait_until(lambda: _status(conn, ok.id, "ACTIVE"), 60,
               message="server ACTIVE")
    listener.wait_for(ok.id, "instance.create.end")
    conn.compute.delete_server(ok.id)
    wait_until(lambda: _gone(conn, ok.id), 60, message="server deleted")
    listener.wait_for(ok.id, "instance.delete.end")

    got = listener.of(ok.id)
    actions = [(prio, pub, event, data["state"], data["host"])
               for prio, pub, event, data in got
               if event != "instance.update"]
    assert actions == [
        ("INFO", "nimbus-compute:cmp-ok", "instance.create.start",
         "building", "cmp-ok"),
        ("INFO", "nimbus-compute:cmp-ok", "instance.create.end",
         "active", "cmp-ok"),
        ("INFO", "nimbus-compute:cmp-ok", "instance.delete.start",
         "active", "cmp-ok"),
        ("INFO", "nimbus-compute:cmp-ok", "instance.delete.end",
         "deleted", "cmp-ok"),
    ]
    for _prio, _pub, _event, data in got:
        flavor = data["flavor"]["nova_object.data"]
        assert (data["tenant_id"], data["display_name"]) == \
            ("admin", "audited")
        assert (flavor["flavorid"], flavor["name"], flavor["vcpus"],
                flavor["memory_mb"]) == ("1", "m1.tiny", 1, 512)
    end = [d for _p, _pub, e, d in got if e == "instance.create.end"][0]
    assert end["power_state"] == 1 and end["launched_at"]

    # instance.update: each state change once, from the process that
    # saved it (conductor for the compute's saves, the API for its own);
    # across publishers the broker promises no order, so count them.
    updates = collections.Counter(
        (pub.split(":")[0], *(data["state_update"]["nova_object.data"][k]
                              for k in ("old_state", "state",
                                        "old_task_state", "new_task_state")))
        for _prio, pub, event, data in got if event == "instance.update")
    assert updates == collections.Counter([
        ("nimbus-conductor", "building", "building", "scheduling",
         "spawning"),
        ("nimbus-conductor", "building", "active", "spawning", None),
        ("nimbus-api", "active", "active", None, "deleting"),
    ])

    failed = conn.compute.create_server(
        name="doomed", image_id=DEMO_IMAGE, flavor_id="1",
        availability_zone="bad-zone", networks="none")
    wait_until(lambda: _status(conn, failed.id, "ERROR"), 60,
               message="server ERROR")
    (prio, pub, _event, data), = listener.wait_for(
        failed.id, "instance.create.error")
    fault = data["fault"]["nova_object.data"]
    assert (prio, pub, data["host"]) == \
        ("ERROR", "nimbus-compute:cmp-bad", "cmp-bad")
    assert (fault["exception"], fault["module_name"],
            fault["function_name"]) == \
        ("HypervisorError", "nimbus.plugins.hypervisors.fake.driver", "_act")
    assert "injected spawn failure on cmp-bad" in fault["exception_message"]
    assert [e for _p, _pub, e, _d in listener.of(failed.id)
            if e != "instance.update"] == \
        ["instance.create.start", "instance.create.error"]

    # A build no host takes never reaches a compute: conductor reports it.
    huge = conn.compute.create_flavor(name="huge", ram=64 * 1024 * 1024,
                                      vcpus=1, disk=1)
    unplaced = conn.compute.create_server(name="unplaced",
                                          image_id=DEMO_IMAGE,
                                          flavor_id=huge.id, networks="none")
    wait_until(lambda: _status(conn, unplaced.id, "ERROR"), 60,
               message="unplaceable server ERROR")
    (prio, pub, _event, data), = listener.wait_for(
        unplaced.id, "instance.create.error")
    fault = data["fault"]["nova_object.data"]
    assert (prio, pub, data["host"]) == \
        ("ERROR", "nimbus-conductor:conductor", None)
    assert fault["exception"] == "NoValidHost"
    assert fault["exception_message"].startswith("No valid host was found")
    assert "Traceback" not in fault["exception_message"]
    # The user's fault says it too, without the scheduler's traceback.
    message = conn.compute.get_server(unplaced.id).fault["message"]
    assert message.startswith("No valid host was found")
    assert "Traceback" not in message
