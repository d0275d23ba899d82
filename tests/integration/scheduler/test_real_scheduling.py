"""Several scheduler processes over real PostgreSQL and RabbitMQ.

Fake computes with small capacities (``[fake] host_capacity``) are filled
by concurrent boots through two schedulers: no host may exceed its
inventory and the next boot must fail with the explained NoValidHost.
A compute made to fail builds sees its instances rescheduled, and the
build-failure weigher keeps later boots away from it.
"""

import collections
import concurrent.futures

import pytest

from tests import real
from tests.integration.kernel.test_multiprocess import _seed_image
from tests.integration.procs import Deployment, wait_until

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
PER_HOST = 4    # flavor 1 is 1 vCPU / 512 MiB; hosts are 4 vCPU / 2 GiB
pytestmark = pytest.mark.real


def _deploy(tmp_path, hosts, schedulers, fake=None, subset=2):
    """Yield a started deployment; everything stopped and dropped after."""
    extra = {"compute": {"reserved_host_memory_mb": 0,
                         "cpu_allocation_ratio": 1.0},
             "scheduler": {"host_subset_size": subset},
             "api": {"enabled_dialects": "openstack"},
             "fake": dict({"host_capacity": ",".join(
                 f"{h}:{PER_HOST}/{PER_HOST * 512}/100" for h in hosts)},
                 **(fake or {}))}
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.postgresql_database() as db_url:
        dep = Deployment(tmp_path, transport_url, db_url, extra=extra)
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep)
            dep.start("conductor", "nimbus-conductor")
            for i in range(schedulers):
                dep.start(f"scheduler-{i}", "nimbus-scheduler")
            for host in hosts:
                dep.start_compute(host)
            dep.start("api", "nimbus-api")
            dep.wait_api()
            conn = dep.sdk()
            wait_until(lambda: len(list(conn.compute.hypervisors()))
                       == len(hosts), 60, message="hypervisors reported")
            yield dep
        finally:
            dep.stop_all()


@pytest.fixture
def three_hosts(tmp_path):
    yield from _deploy(tmp_path, ("cmp-a", "cmp-b", "cmp-c"), schedulers=2)


@pytest.fixture
def failing_host(tmp_path):
    # cmp-bad has more free RAM, so the RAM weigher prefers it at first.
    yield from _deploy(tmp_path, ("cmp-bad", "cmp-ok"), schedulers=1,
                       subset=1, fake={"fail_hosts": "cmp-bad", "fail_ops": "spawn",
                             "host_capacity": "cmp-bad:8/8192/100,"
                                              "cmp-ok:8/4096/100"})


def _boot(conn, count, prefix, **kw):
    # No network service in this deployment: no NIC (2.37's "none").
    kw.setdefault("networks", "none")

    def boot(i):
        return conn.compute.create_server(
            name=f"{prefix}-{i}", image_id=DEMO_IMAGE, flavor_id="1",
            **kw).id
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(boot, range(count)))


def _settled(conn, ids, status="ACTIVE"):
    servers = [conn.compute.get_server(i) for i in ids]
    bad = [(s.id, s.status, s.fault) for s in servers
           if s.status not in ("BUILD", status)]
    assert not bad, bad
    return servers if all(s.status == status for s in servers) else None


def _failed_builds(dep):
    return sum("injected spawn failure" in line
               for line in dep.log("cmp-bad").splitlines())


def test_concurrent_boots_fill_hosts_exactly(three_hosts):
    conn = three_hosts.sdk()
    group = conn.compute.create_server_group(name="spread",
                                             policies=["anti-affinity"])
    members = _boot(conn, 3, "member", scheduler_hints={"group": group.id})
    servers = wait_until(lambda: _settled(conn, members), 90,
                         message="anti-affinity members ACTIVE")
    assert sorted(s.compute_host for s in servers) == \
        ["cmp-a", "cmp-b", "cmp-c"]

    rest = _boot(conn, 3 * PER_HOST - 3, "fill")
    servers = wait_until(lambda: _settled(conn, rest), 120,
                         message="fill servers ACTIVE")
    per_host = collections.Counter(s.compute_host for s in servers)
    assert per_host == {h: PER_HOST - 1 for h in ("cmp-a", "cmp-b",
                                                   "cmp-c")}, per_host
    # the usage figures left the hypervisor bodies at 2.88
    for hyp in conn.compute.get(
            "/os-hypervisors/detail",
            headers={"OpenStack-API-Version": "compute 2.87"}).json()[
                "hypervisors"]:
        assert hyp["vcpus_used"] <= hyp["vcpus"] and \
            hyp["memory_mb_used"] <= hyp["memory_mb"], hyp

    extra = _boot(conn, 1, "extra")
    [server] = wait_until(lambda: _settled(conn, extra, "ERROR"), 60,
                          message="extra boot ERROR")
    message = server.fault["message"]
    assert "No valid host was found" in message
    assert "3 compute host(s) considered" in message
    assert "resources removed 3 (not enough free vCPU, RAM or disk)" in \
        message, message


def test_failing_compute_is_rescheduled_then_avoided(failing_host):
    conn = failing_host.sdk()
    [first] = _boot(conn, 1, "first")
    [server] = wait_until(lambda: _settled(conn, [first]), 60,
                          message="rescheduled server ACTIVE")
    assert server.compute_host == "cmp-ok"
    assert _failed_builds(failing_host) == 1

    later = _boot(conn, 4, "later")
    servers = wait_until(lambda: _settled(conn, later), 60,
                         message="later servers ACTIVE")
    assert {s.compute_host for s in servers} == {"cmp-ok"}
    # The build-failure weigher steered them: cmp-bad saw no new build.
    assert _failed_builds(failing_host) == 1
