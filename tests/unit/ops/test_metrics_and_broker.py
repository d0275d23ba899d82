"""Metrics helpers and queue naming, without a broker."""

import pytest
from prometheus_client import parser

from nimbus.cli.commands import monitor
from nimbus.core import broker, exception, hostinfo, metrics


@pytest.mark.parametrize("path,route", [
    ("/v2.1/servers/1b2c3d4e-0000-4000-8000-000000000001/action",
     "/v2.1/servers/{id}/action"),
    ("/v2.1/os-hypervisors/12/uptime", "/v2.1/os-hypervisors/{id}/uptime"),
    ("/v2.1/flavors/detail", "/v2.1/flavors/detail"),
    ("/identity/v3/auth/tokens", "/identity/v3/auth/tokens"),
    ("/", "/"),
])
def test_route_labels_collapse_ids(path, route):
    assert metrics.route_of(path) == route


class Endpoint:
    target = "the-target"

    def work(self, x):
        return x * 2

    def fail(self):
        raise ValueError("no")


def _calls(method, outcome):
    return metrics.RPC_CALLS.labels("t-unit", method, outcome)._value.get()


def test_instrumented_endpoint_counts_and_passes_target_through():
    wrapped = metrics.InstrumentedEndpoint(Endpoint(), "t-unit")
    assert wrapped.target == "the-target"
    before = _calls("work", "ok"), _calls("fail", "error")
    assert wrapped.work(4) == 8
    with pytest.raises(ValueError):
        wrapped.fail()
    assert (_calls("work", "ok"), _calls("fail", "error")) == (
        before[0] + 1, before[1] + 1)


def test_api_middleware_counts_by_route_and_status():
    def app(environ, start_response):
        start_response("404 Not Found", [])
        return [b""]
    counter = metrics.API_REQUESTS.labels("GET", "/v2.1/servers/{id}", "404")
    before = counter._value.get()
    wrapped = metrics.api_middleware(app)
    wrapped({"PATH_INFO": "/v2.1/servers/42", "REQUEST_METHOD": "GET"},
            lambda *a: None)
    assert counter._value.get() == before + 1


def test_registry_exposition_parses():
    import prometheus_client
    text = prometheus_client.generate_latest(metrics.REGISTRY).decode()
    names = {f.name for f in parser.text_string_to_metric_families(text)}
    assert {"nimbus_rpc_server_calls", "nimbus_api_requests",
            "nimbus_host_load1", "nimbus_queue_messages",
            "nimbus_builds"} <= names


class Conf:
    transport_url = "fake://"


class RabbitConf:
    transport_url = "rabbit://g:g@h:1/"


def test_sampler_sets_service_up_without_a_broker():
    services = [("nimbus-compute", "h-unit", "compute", False)]
    sampler = metrics.Sampler(Conf(), lambda: services)
    sampler.sample()
    assert metrics.SERVICE_UP.labels("nimbus-compute",
                                     "h-unit")._value.get() == 0
    services[0] = ("nimbus-compute", "h-unit", "compute", True)
    sampler.sample()
    assert metrics.SERVICE_UP.labels("nimbus-compute",
                                     "h-unit")._value.get() == 1


def test_sampler_asks_no_queue_depths_of_a_transport_without_queues(
        monkeypatch):
    asked = []
    monkeypatch.setattr(broker, "declared_depths",
                        lambda *a, **k: asked.append(a) or {})
    metrics.Sampler(Conf(), lambda: []).sample()
    assert asked == []
    metrics.Sampler(RabbitConf(), lambda: [
        ("nimbus-compute", "h-unit", "compute", True)]).sample()
    assert [list(a[1]) for a in asked] == [
        list(broker.TOPICS) + ["compute.h-unit"]]


@pytest.mark.parametrize("url,rabbit", [
    ("rabbit://g:g@h:5672/", True), ("kombu://h/", True),
    ("fake://", False), ("local://", False), ("qpid://h:5672/", False)])
def test_is_rabbit(url, rabbit):
    assert broker.is_rabbit(url) is rabbit


@pytest.mark.parametrize("queue,service", [
    ("conductor", "conductor"), ("compute.cmp-a", "compute"),
    ("scheduler_fanout_ab12", "scheduler"), ("reply_0f0f", "reply"),
    ("something", "other")])
def test_queue_names_map_to_services(queue, service):
    assert broker.service_of(queue) == service


def test_parse_url_refuses_non_rabbit():
    with pytest.raises(exception.ConfigError, match="RabbitMQ"):
        broker.parse_url("fake://")
    assert broker.parse_url("rabbit://u:p@h:5673/v") == ("h", 5673, "u",
                                                         "p", "v")


def _row(**kw):
    row = {"queue": "conductor", "service": "conductor", "messages": 5,
           "consumers": 0, "growth_rate": 2.0}
    row.update(kw)
    return row


def test_hint_names_the_service_to_scale():
    assert "no consumer: start nimbus-conductor" in monitor._hint(_row(),
                                                                  None)
    assert "scale out nimbus-scheduler" in monitor._hint(
        _row(service="scheduler", consumers=2), None)
    assert monitor._hint(_row(growth_rate=0.0), None) == ""
    assert monitor._hint(_row(growth_rate=None), 1.5).startswith(
        "growing (+1.5/s)")
    assert monitor._hint(_row(messages=0), None) == ""


def test_uptime_text(tmp_path):
    proc = tmp_path / "uptime"
    proc.write_text("270061.5 1000.0\n")
    text = hostinfo.uptime_text(str(proc), now=0)
    assert " up 3 days,  3:01,  0 users,  load average: " in text
