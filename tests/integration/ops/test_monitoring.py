"""Monitoring over a multi-process deployment on RabbitMQ (own vhost)
and PostgreSQL: every service's ``/metrics`` parses with the Prometheus
text parser and its counters move as servers boot; with the conductor
stopped, ``nimbus monitor queues`` shows the conductor queue growing
(with a hint to start conductors), the API's queue gauge agrees with
the broker, and two conductors started afterwards drain it."""

import json
import os
import subprocess
import threading

import pytest
import requests
import yaml
from prometheus_client import parser

from tests import real
from tests.conftest import free_port
from tests.integration.procs import BIN, Deployment, wait_until

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
pytestmark = pytest.mark.real
# The compute reports rarely, so that while the conductor is stopped the
# conductor queue holds only the boots this test posts.
QUIET = {"DEFAULT": {"report_interval": 60},
         "compute": {"resource_report_interval": 600,
                     "sync_power_state_interval": 600}}


def _metrics(port):
    return {"metrics": {"enabled": "true", "port": port,
                        "poll_interval": 1}}


@pytest.fixture
def deployment(tmp_path):
    from tests.integration.kernel.test_multiprocess import _seed_image
    with real.rabbit_vhost() as (transport_url, _vhost), \
            real.postgresql_database() as db_url:
        dep = Deployment(tmp_path, transport_url, db_url,
                         extra={"DEFAULT": {"service_down_time": 300}})
        dep.metrics = {name: free_port() for name in (
            "api", "conductor", "scheduler", "cmp-a", "conductor-1",
            "conductor-2")}
        try:
            dep.manage("db", "sync")
            dep.manage("db", "seed")
            _seed_image(dep)
            dep.start("conductor", "nimbus-conductor",
                      extra=_metrics(dep.metrics["conductor"]))
            dep.start("scheduler", "nimbus-scheduler",
                      extra=_metrics(dep.metrics["scheduler"]))
            dep.start_compute("cmp-a", extra=QUIET | _metrics(
                dep.metrics["cmp-a"]))
            dep.start("api", "nimbus-api", extra=_metrics(dep.metrics["api"]))
            dep.wait_api()
            yield dep
        finally:
            dep.stop_all()


def scrape(port):
    """``{(name, labels as a sorted tuple): value}`` of one endpoint,
    parsed by prometheus_client's own text parser."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    values = {}
    for family in parser.text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = \
                sample.value
    return values


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def monitor(dep, *extra):
    out = subprocess.run(
        [f"{BIN}/nimbus", "monitor", "queues", "-f", "json",
         "--transport-url", dep.transport_url, *extra],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return {row["Queue"]: row for row in json.loads(out.stdout)}


def top(dep, workdir):
    """Two frames of ``nimbus monitor top`` as the admin (noauth2)."""
    clouds = workdir / "clouds.yaml"
    clouds.write_text(yaml.safe_dump({"clouds": {"nimbus": {
        "auth_type": "admin_token",
        "auth": {"endpoint": dep.url + "/v2.1", "token": "admin:admin"},
        "compute_endpoint_override": dep.url + "/v2.1",
        "region_name": "RegionOne"}}}))
    out = subprocess.run(
        [f"{BIN}/nimbus", "monitor", "top", "--iterations", "2",
         "--interval", "0.5", "--transport-url", dep.transport_url],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds),
                 OS_CLOUD="nimbus"))
    assert out.returncode == 0, out.stderr
    return out.stdout


def _boot(conn, name):
    return conn.compute.create_server(name=name, image_id=DEMO_IMAGE,
                                      flavor_id="1", networks="none").id


def _active(conn, ids):
    servers = [conn.compute.get_server(i) for i in ids]
    assert not [s for s in servers if s.status == "ERROR"], \
        [s.fault for s in servers if s.status == "ERROR"]
    return all(s.status == "ACTIVE" for s in servers)


def test_metrics_move_and_queue_depths(deployment):
    dep = deployment
    conn = dep.sdk()
    wait_until(lambda: len(list(conn.compute.hypervisors())) == 1, 60,
               message="the compute reported")
    ports = dep.metrics
    before = {name: scrape(ports[name]) for name in (
        "api", "conductor", "scheduler", "cmp-a")}

    # A scripted session: three boots through every service.
    ids = [_boot(conn, f"m-{i}") for i in range(3)]
    wait_until(lambda: _active(conn, ids), 90, message="3 servers ACTIVE")
    after = {name: scrape(ports[name]) for name in before}
    post = ("nimbus_api_requests_total", {"method": "POST",
                                          "route": "/v2.1/servers",
                                          "status": "202"})
    assert value(after["api"], post[0], **post[1]) - \
        value(before["api"], post[0], **post[1]) == 3
    built = {"topic": "conductor", "method": "schedule_and_build_instances",
             "outcome": "ok"}
    assert value(after["conductor"], "nimbus_rpc_server_calls_total",
                 **built) - value(before["conductor"],
                                  "nimbus_rpc_server_calls_total",
                                  **built) == 3
    assert value(after["scheduler"], "nimbus_scheduler_decisions_total",
                 outcome="selected") - value(
        before["scheduler"], "nimbus_scheduler_decisions_total",
        outcome="selected") == 3
    decided = "nimbus_scheduler_decision_seconds_count"
    assert value(after["scheduler"], decided) - \
        value(before["scheduler"], decided) == 3
    assert value(after["cmp-a"], "nimbus_builds_total", outcome="active") \
        - value(before["cmp-a"], "nimbus_builds_total",
                outcome="active") == 3
    for samples in after.values():
        assert value(samples, "nimbus_host_load1") > 0
    wait_until(lambda: value(scrape(ports["api"]), "nimbus_service_up",
                             binary="nimbus-compute", host="cmp-a") == 1,
               10, message="the API's sample sees the compute up")

    # The conductor stops: boots wait in its queue, which keeps growing.
    dep.kill("conductor", sig=15)
    stop = threading.Event()
    posted = []

    def keep_booting():
        while not stop.is_set() and len(posted) < 30:
            posted.append(_boot(dep.sdk(), f"q-{len(posted)}"))
            stop.wait(0.5)
    poster = threading.Thread(target=keep_booting, daemon=True)
    poster.start()
    try:
        row = wait_until(
            lambda: (lambda r: r if r and "start nimbus-conductor" in
                     r["Hint"] else None)(monitor(dep).get("conductor")),
            60, interval=1, message="a growing-queue hint")
    finally:
        stop.set()
        poster.join(30)
    assert row["Service"] == "conductor" and row["Consumers"] == 0
    queued = len(posted)
    assert queued >= 3
    # The broker (management API, refreshed every few seconds) and the
    # API's gauge (passive declare) agree once the queue stops changing.
    wait_until(lambda: monitor(dep)["conductor"]["Messages"] == queued,
               30, interval=1, message=f"{queued} messages in the queue")
    wait_until(lambda: value(scrape(ports["api"]), "nimbus_queue_messages",
                             queue="conductor") == queued, 15,
               message="the API's queue gauge to agree")
    # Without the management API, rabbitmqctl gives the same count.
    by_ctl = monitor(dep, "--management-url", f"http://127.0.0.1:"
                     f"{free_port()}")
    assert by_ctl["conductor"]["Messages"] == queued
    # The console view shows the same queue, services and builds.
    screen = top(dep, dep.workdir)
    conductor = [line for line in screen.splitlines()
                 if line.strip().startswith("conductor ")]
    assert conductor and f"{queued} msgs" in conductor[0] and \
        " 0 consumers" in conductor[0], screen
    assert f"builds in flight: {queued}" in screen, screen
    assert "rates: " in screen and "nimbus-scheduler" in screen

    # Two conductors drain it; every queued boot ends ACTIVE.
    for name in ("conductor-1", "conductor-2"):
        dep.start(name, "nimbus-conductor", host=name,
                  extra=_metrics(ports[name]))
    wait_until(lambda: value(scrape(ports["api"]), "nimbus_queue_messages",
                             queue="conductor") == 0, 60,
               message="the conductor queue drained")
    wait_until(lambda: _active(conn, posted), 120,
               message=f"{queued} queued servers ACTIVE")
    # Computes keep sending periodic reports to conductor, so the drained
    # queue is seen empty at some refresh, not at every one.
    rows = wait_until(lambda: (lambda r: r if r["conductor"]["Consumers"]
                               == 2 and r["conductor"]["Messages"] == 0
                               else None)(monitor(dep)), 30,
                      interval=1, message="two consumers, queue empty")
    assert rows["conductor"]["Messages"] == 0
    served = sum(value(scrape(ports[name]), "nimbus_rpc_server_calls_total",
                       **built) for name in ("conductor-1", "conductor-2"))
    assert served == queued
