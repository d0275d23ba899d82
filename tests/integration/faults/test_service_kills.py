"""Each service SIGKILLed in the middle of a burst of boots and deletes.

api, conductor, scheduler, two computes, nimbus-network and
nimbus-volume run as separate OS processes over real RabbitMQ and
PostgreSQL; servers get a port on a shared network. For every service
and kill point a burst of boots (from a new volume each when the volume
service is the one killed; and deletes of servers of the earlier
bursts) starts. Most services are SIGKILLed once the API has accepted
the kill point's number of boots; nimbus-volume is SIGKILLed in the
middle of its n-th volume create (the backend holds the new volume, the
image not yet copied) or of its n-th connection of a volume to a compute
(the export made, the compute not answered): it runs with
``[fault_injection] pause_at = <step>:<n>`` and is killed once it logs
``paused at``. Each killed service is restarted a second later. Within a
bounded time
every server must be ACTIVE or ERROR with a fault, every accepted delete
finished, no task state left, no claim without a live server, every
ACTIVE server's claim on its host and its guest there, and no guest
left of a server that is gone, no port, address or volume attachment
of a server that is gone, and no volume left in a transitional status.
The module prints the table of
service x kill point -> outcome and time to settle
(docs/reliability.md keeps a run of it).
"""

import concurrent.futures
import json
import signal
import time

import pytest
import requests
import sqlalchemy

from tests import real
from tests.integration.procs import Deployment, wait_until

pytestmark = pytest.mark.real

IMAGE = "a0d1c0de-0000-4000-8000-00000000fa17"
HOSTS = ("cmp-fa", "cmp-fb")
BURST = 6                      # boots per scenario
DELETES = 2                    # deletes of earlier servers per scenario
KILL_POINTS = {"after 1 boot": 1, "after 4 boots": 4}
SERVICES = ("api", "conductor", "scheduler", HOSTS[0], "network")
#: nimbus-volume's kill points: the pause step it is killed at.
VOLUME_POINTS = {"2nd create": "volume.create:2",
                 "3rd connect": "volume.connect:3"}
SCENARIOS = [(service, point) for service in SERVICES
             for point in KILL_POINTS] + \
    [("volume", point) for point in VOLUME_POINTS]
#: the hosts of the network and volume services.
SERVICE_HOSTS = {"network": "net-1", "volume": "stor-1"}
SETTLE = 90                    # seconds everything has to settle
TOKEN = {"X-Auth-Token": "admin:admin", "Content-Type": "application/json"}

# Tight deadlines so abandoned work is found in seconds, not minutes.
EXTRA = {
    "DEFAULT": {"rpc_response_timeout": 10},
    "conductor": {"task_state_timeout": 15, "task_state_check_interval": 1},
    "fake": {"latency": "spawn:0.5,destroy:0.3", "persist": True},
    # Volumes in files, so a restarted volume service still has them.
    "volume": {"driver": "file", "capacity_report_interval": 1,
               "recovery_interval": 2, "operation_timeout": 10,
               "rpc_timeout": 10},
    "volume_file": {"total_gb": 100},
    # nimbus-network reaps ports of servers deleted while it was away.
    "network": {"reap_interval": 2, "allocate_timeout": 15},
    "quota": {"volumes": -1, "gigabytes": -1, "port": -1},
}

RESULTS = []


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults")
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.database("postgresql") as db_url:
        dep = Deployment(workdir, transport_url, db_url, extra=EXTRA)
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            dep.manage("network", "create", "--name", "fa-net", "--cidr",
                       "10.77.0.0/24", "--network-host", "net-1")
            _seed_image(dep)
            for name in SERVICES + ("volume",):
                _start(dep, name)
            _start(dep, HOSTS[1])
            dep.wait_api()
            wait_until(lambda: _computes_up(dep) == set(HOSTS), 60,
                       message="both computes up")
            yield dep
        finally:
            dep.stop_all()
            if RESULTS:
                print("\n" + _table(RESULTS))


def _start(dep, name, extra=None):
    if name in HOSTS:
        return dep.start_compute(name)
    return dep.start(name, f"nimbus-{name}", host=SERVICE_HOSTS.get(name),
                     extra=extra)


def _pausing_volume(dep, step):
    """Replace nimbus-volume by one that pauses at ``step`` (``<step>:<n>``);
    returns how much of its log to skip when looking for the pause."""
    dep.kill("volume", signal.SIGTERM)
    seen = len(dep.log("volume"))
    _start(dep, "volume", extra={"fault_injection": {"pause_at": step}})
    # Up (registered, first heartbeat) before the burst: until then its
    # host is down to the API, which refuses boots from new volumes.
    wait_until(lambda: "nimbus-volume started on" in dep.log("volume")[seen:],
               90, message="the pausing nimbus-volume to start")
    return seen


def _kill_when(dep, service, point, boots, seen):
    """Wait for the kill point, SIGKILL ``service``, restart it."""
    if service == "volume":
        step = VOLUME_POINTS[point].split(":")[0]
        wait_until(lambda: f"paused at {step}" in dep.log("volume")[seen:],
                   90, message=f"volume paused at {VOLUME_POINTS[point]}")
    else:
        wait_until(lambda: sum(1 for f in boots if f.done() and f.result())
                   >= KILL_POINTS[point], 60,
                   message=f"{KILL_POINTS[point]} boots accepted")
    dep.kill(service)
    time.sleep(1)
    _start(dep, service)


def _seed_image(dep):
    from nimbus.core.interfaces import images
    record = images.new_record({"id": IMAGE, "name": "faults"})
    record.update(status="active", size=4)
    store = dep.state_path / "images"
    store.mkdir(parents=True, exist_ok=True)
    (store / f"{IMAGE}.json").write_text(json.dumps(record))
    (store / f"{IMAGE}.data").write_bytes(b"demo")


def _get(dep, path):
    reply = requests.get(dep.url + "/v2.1" + path, headers=TOKEN, timeout=10)
    reply.raise_for_status()
    return reply.json()


def _computes_up(dep):
    try:
        services = _get(dep, "/os-services")["services"]
    except requests.RequestException:
        return set()
    return {s["host"] for s in services
            if s["binary"] == "nova-compute" and s["state"] == "up"}


def _servers(dep):
    return {s["id"]: s for s in _get(
        dep, "/servers/detail?all_tenants=1")["servers"]}


def _boot(dep, name, from_volume=False):
    """POST one boot; its id, or None when the API refused or was gone."""
    body = {"server": {"name": name, "imageRef": IMAGE, "flavorRef": "1"}}
    if from_volume:
        body["server"].update(imageRef="", block_device_mapping_v2=[{
            "boot_index": 0, "uuid": IMAGE, "source_type": "image",
            "destination_type": "volume", "volume_size": 1,
            "delete_on_termination": True}])
    try:
        reply = requests.post(dep.url + "/v2.1/servers", headers=TOKEN,
                              json=body, timeout=30)
    except requests.RequestException:
        return None
    return reply.json()["server"]["id"] if reply.status_code == 202 else None


def _delete(dep, uuid):
    try:
        reply = requests.delete(f"{dep.url}/v2.1/servers/{uuid}",
                                headers=TOKEN, timeout=30)
    except requests.RequestException:
        return None
    return uuid if reply.status_code == 204 else None


def _settled(dep, deleted):
    try:
        servers = _servers(dep)
    except requests.RequestException:
        return False
    if any(uuid in servers for uuid in deleted):
        return False
    return all(s["status"] in ("ACTIVE", "ERROR")
               and s["OS-EXT-STS:task_state"] is None
               for s in servers.values())


def _query(dep, sql):
    engine = sqlalchemy.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sqlalchemy.text(sql))]
    finally:
        engine.dispose()


def _guests(dep):
    """{uuid: host} of the guests the fake hypervisors hold."""
    found = {}
    for host in HOSTS:
        path = dep.state_path / "fake" / f"{host}.json"
        if path.exists():
            found.update({uuid: host
                          for uuid in json.loads(path.read_text())})
    return found


def _check_consistent(dep):
    """Claims and guests match the servers the API shows."""
    servers = _servers(dep)
    orphan_claims = _query(dep, """
        SELECT a.consumer_uuid FROM allocations a WHERE NOT EXISTS (
            SELECT 1 FROM instances i
            WHERE i.uuid = a.consumer_uuid AND i.deleted = 0)""")
    assert orphan_claims == [], "claims of servers that are gone"
    claims = dict(_query(dep, """
        SELECT a.consumer_uuid, n.host FROM allocations a
        JOIN compute_nodes n ON n.id = a.compute_node_id"""))
    guests = _guests(dep)
    for uuid, server in servers.items():
        if server["status"] == "ACTIVE":
            host = server["OS-EXT-SRV-ATTR:host"]
            assert claims.get(uuid) == host, f"{uuid}: claim on {host}"
            assert guests.get(uuid) == host, f"{uuid}: guest on {host}"
        else:
            assert server.get("fault", {}).get("message"), \
                f"{uuid} in ERROR without a fault"
    leaked = set(guests) - set(servers)
    assert not leaked, f"guests of servers that are gone: {leaked}"
    assert _leftovers(dep) == []


def _leftovers(dep):
    """Ports, addresses and volume attachments of servers that are gone,
    and volumes in a transitional status (nimbus-network and
    nimbus-volume settle these on their own periodic checks)."""
    found = []
    # Attachment rows are soft-deleted: a detached one is history.
    for table, live in (("ports", ""), ("fixed_ips", ""),
                        ("volume_attachments", "AND t.deleted = 0")):
        found += [(table, uuid) for (uuid,) in _query(dep, f"""
            SELECT t.instance_uuid FROM {table} t
            WHERE t.instance_uuid IS NOT NULL {live} AND NOT EXISTS (
                SELECT 1 FROM instances i
                WHERE i.uuid = t.instance_uuid AND i.deleted = 0)""")]
    found += [("volume " + status, uuid) for uuid, status in _query(dep, """
        SELECT id, status FROM volumes WHERE deleted = 0
        AND status NOT IN ('available', 'in-use', 'error')""")]
    return found


def _table(results):
    rows = ["service      kill point      accepted  active  error  deleted"
            "  settled (s)"]
    for r in results:
        rows.append(f"{r['service']:<12} {r['point']:<15} "
                    f"{r['accepted']:>8} {r['active']:>7} {r['error']:>6} "
                    f"{r['deleted']:>8} {r['settle']:>12.1f}")
        rows += [f"{'':<28} ERROR: {fault}" for fault in r["faults"]]
    return "\n".join(rows)


@pytest.mark.parametrize(("service", "point"), SCENARIOS)
def test_killed_mid_burst_everything_settles(cloud, service, point):
    dep = cloud
    wait_until(lambda: _computes_up(dep) == set(HOSTS), 60,
               message="both computes up before the burst")
    earlier = [uuid for uuid, s in _servers(dep).items()
               if s["status"] == "ACTIVE"][:DELETES]
    tag = f"{service}-{point.split()[-2]}"
    seen = _pausing_volume(dep, VOLUME_POINTS[point]) \
        if service == "volume" else 0
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=3)
    try:
        deletes = [pool.submit(_delete, dep, uuid) for uuid in earlier]
        boots = [pool.submit(_boot, dep, f"fa-{tag}-{i}",
                             from_volume=service == "volume")
                 for i in range(BURST)]
        _kill_when(dep, service, point, boots, seen)
        accepted = [f.result() for f in boots if f.result()]
        deleted = {f.result() for f in deletes if f.result()}
    finally:
        pool.shutdown(wait=True)
    dep.wait_api()
    started = time.monotonic()
    try:
        wait_until(lambda: _settled(dep, deleted), SETTLE, interval=0.5,
                   message=f"everything settled after killing {service}")
    except AssertionError:
        stuck = [(u, s["status"], s["OS-EXT-STS:task_state"])
                 for u, s in _servers(dep).items()
                 if s["OS-EXT-STS:task_state"] or u in deleted
                 or s["status"] not in ("ACTIVE", "ERROR")]
        raise AssertionError(f"not settled after killing {service}: "
                             f"{stuck}") from None
    settle = time.monotonic() - started
    # The restarted compute has destroyed the guests of deletes it had
    # not finished once its own task states are gone.
    wait_until(lambda: set(_guests(dep)) <= set(_servers(dep)), 30,
               message="guests of deleted servers destroyed")
    try:
        wait_until(lambda: not _leftovers(dep), 30, interval=0.5,
                   message="leftovers released")
    except AssertionError:
        raise AssertionError(f"left behind after killing {service}: "
                             f"{_leftovers(dep)}") from None
    _check_consistent(dep)
    servers = _servers(dep)
    mine = [servers[uuid] for uuid in accepted if uuid in servers]
    RESULTS.append({
        "service": service, "point": point, "accepted": len(accepted),
        "active": sum(s["status"] == "ACTIVE" for s in mine),
        "error": sum(s["status"] == "ERROR" for s in mine),
        "deleted": len(deleted), "settle": settle,
        "faults": sorted({s["fault"]["message"] for s in mine
                          if s["status"] == "ERROR"})})
    # Every boot the API accepted is still shown (none vanished).
    assert len(mine) == len(accepted)
