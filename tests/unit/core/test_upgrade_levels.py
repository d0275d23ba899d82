"""Rolling upgrades: ``[upgrade_levels]`` caps what each RPC client sends,
and objects reach a service of the previous release at the versions it
knows (conductor backports them, through the RPC serializer)."""

import contextlib
from unittest import mock

import pytest
from oslo_messaging.rpc import client as rpc_client
from oslo_versionedobjects import base as ovo_base

from nimbus.core import context as nimbus_context
from nimbus.core import rpc
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.conductor import manager as conductor_manager
from nimbus.core.conductor import rpcapi as conductor_rpcapi
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.objects import compute_node
from nimbus.core.objects import instance as instance_obj
from nimbus.core.scheduler import rpcapi as scheduler_rpcapi
from nimbus.core.testing import scheduler as kit
from tests.conftest import Stack
from tests.integration.procs import wait_until

CLIENTS = [("compute", compute_rpcapi, compute_rpcapi.ComputeAPI),
           ("conductor", conductor_rpcapi, conductor_rpcapi.ConductorAPI),
           ("scheduler", scheduler_rpcapi, scheduler_rpcapi.SchedulerAPI)]
CAPS = {"pause": True, "suspend": False}
INVENTORY = {"hypervisor_type": "fake", "hypervisor_version": 1,
             "vcpus": 4, "memory_mb": 4096, "local_gb": 100,
             "capabilities": CAPS}
NODE = "ComputeNode"
DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


@pytest.mark.parametrize("name, module, api", CLIENTS)
def test_no_pin_caps_at_the_newest_known_version(nimbus_conf, name, module,
                                                 api):
    client = api().client
    assert client.version_cap == module.VERSION_CAP
    assert client.can_send_version(module.VERSION_CAP)


@pytest.mark.parametrize("name, module, api", CLIENTS)
def test_pin_caps_the_client(nimbus_conf, name, module, api):
    nimbus_conf.set_override(name, "0.9", "upgrade_levels")
    client = api().client
    assert client.version_cap == "0.9"
    assert not client.can_send_version("1.0")


@pytest.mark.parametrize("value", ["latest", "1", "1.0.1"])
def test_pin_must_be_a_version(nimbus_conf, value):
    with pytest.raises(ValueError):
        nimbus_conf.set_override("compute", value, "upgrade_levels")


# -- objects: an older compute reads what conductor returns ----------------

def _wire(ctxt, entity):
    """``entity`` as it arrives on the other side of an RPC call."""
    serializer = rpc.RequestContextSerializer()
    return serializer.deserialize_entity(
        ctxt, serializer.serialize_entity(ctxt, entity))


def _previous_release_node(version):
    """ComputeNode as a compute of the previous release has it."""
    fields = {k: v for k, v in compute_node.ComputeNode.fields.items()
              if k != "capabilities"}
    return type(NODE, (compute_node.ComputeNode,),
                {"VERSION": version, "fields": fields})


@contextlib.contextmanager
def _registry(classes):
    """Run with ``classes`` as the only registered ComputeNode versions."""
    registry = ovo_base.VersionedObjectRegistry.obj_classes()
    with mock.patch.dict(registry, {NODE: classes}):
        yield


class _OldComputesConductor:
    """An older compute's indirection API: each call crosses RPC to the
    real conductor manager, which runs with the current registry and its
    database, as nimbus-conductor does."""

    def __init__(self, manager, current):
        self.manager = manager
        self.current = current
        self.sent = []
        self.backports = []

    def _call(self, ctxt, method, **kwargs):
        serializer = rpc.RequestContextSerializer()
        with _registry(self.current), mock.patch.object(
                compute_node.base.NimbusObject, "indirection_api", None):
            kwargs = {k: _wire(ctxt, v) for k, v in kwargs.items()}
            result = serializer.serialize_entity(
                ctxt, getattr(self.manager, method)(ctxt, **kwargs))
        self.sent.append(result)
        return serializer.deserialize_entity(ctxt, result)

    def object_class_action_versions(self, ctxt, objname, objmethod,
                                     object_versions, args, kwargs):
        return self._call(ctxt, "object_class_action_versions",
                          objname=objname, objmethod=objmethod,
                          object_versions=object_versions, args=args,
                          kwargs=kwargs)

    def object_backport_versions(self, ctxt, objinst, object_versions):
        self.backports.append(object_versions)
        return self._call(ctxt, "object_backport_versions", objinst=objinst,
                          object_versions=object_versions)


@pytest.fixture
def older_compute(db_api, nimbus_conf, monkeypatch):
    """Return ``start(version)``, which wires object calls as in a compute
    knowing ComputeNode ``version`` only and returns ``(ctxt, conductor,
    old class)``; run the compute's side inside ``_registry([old])``."""
    def start(version):
        current = list(ovo_base.VersionedObjectRegistry.obj_classes()[NODE])
        manager = conductor_manager.ConductorManager(nimbus_conf, "cond",
                                                     db_api)
        conductor = _OldComputesConductor(manager, current)
        monkeypatch.setattr(compute_node.base.NimbusObject,
                            "indirection_api", conductor)
        ctxt = nimbus_context.get_admin_context()
        return ctxt, conductor, _previous_release_node(version)
    return start


def _assert_sent_at(primitive, version):
    assert primitive["nimbus_object.version"] == version
    assert "capabilities" not in primitive["nimbus_object.data"]


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_class_action_answers_at_the_callers_version(older_compute,
                                                     version):
    ctxt, conductor, old = older_compute(version)
    with _registry([old]):
        node = old.report_inventory(ctxt, "h1", "h1", INVENTORY)
    assert type(node) is old and node.VERSION == version
    assert (node.host, node.vcpus) == ("h1", 4)
    _assert_sent_at(conductor.sent[0], version)
    # Readable as sent: no second round trip for a backport.
    assert conductor.backports == []


def test_class_action_keeps_capabilities_for_a_current_caller(
        older_compute):
    ctxt, conductor, _ = older_compute("1.1")
    node = compute_node.ComputeNode.report_inventory(ctxt, "h1", "h1",
                                                     INVENTORY)
    current = compute_node.ComputeNode.VERSION
    assert node.VERSION == current and node.capabilities == CAPS
    assert conductor.sent[0]["nimbus_object.version"] == current


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_serializer_has_conductor_backport_a_newer_node(older_compute,
                                                        version):
    """A current ComputeNode reaching an older compute some other way (say,
    in a cast) goes back to conductor with the compute's manifest and
    returns readable."""
    ctxt, conductor, old = older_compute(version)
    node = compute_node.ComputeNode(
        ctxt, id=1, uuid="6d1c5a4e-8f3b-4c55-9d47-2b9a1f0e7c31", host="h1",
        hypervisor_hostname="h1", hypervisor_type="fake",
        hypervisor_version=1, vcpus=4, memory_mb=4096, local_gb=100,
        capabilities=CAPS)
    sent = rpc.RequestContextSerializer().serialize_entity(ctxt, node)
    assert sent["nimbus_object.version"] == compute_node.ComputeNode.VERSION
    with _registry([old]):
        received = rpc.RequestContextSerializer().deserialize_entity(
            ctxt, sent)
    assert conductor.backports == [{NODE: version}]
    _assert_sent_at(conductor.sent[0], version)
    assert type(received) is old and received.VERSION == version
    assert received.host == "h1"


# -- the request spec: an object from 1.1, the legacy dict below ----------

#: The keys of the previous release's spec dict (nimbus.core.scheduler.
#: request_spec.build); conductor added requested_hosts on a reschedule.
LEGACY_KEYS = {"project_id", "user_id", "num_instances", "flavor", "image",
               "availability_zone", "scheduler_hints", "group",
               "tried_hosts", "attempts"}
INSTANCE = "0f5bb9d2-3a1e-4c7e-9a52-6f7d0c1e2b3a"


def _sends(service):
    """Return ``(verb, send(ctxt, spec))`` for each spec-carrying call."""
    return {
        "compute": ("cast", lambda c, s: compute_rpcapi.ComputeAPI()
                    .build_and_run_instance(
                        c, instance_obj.Instance(c, uuid=INSTANCE,
                                                 host="h1"), "h1", s, [])),
        "conductor-build": ("cast", lambda c, s: conductor_rpcapi
                            .ConductorAPI().schedule_and_build_instances(
                                c, [INSTANCE], s)),
        "conductor-reschedule": ("cast", lambda c, s: conductor_rpcapi
                                 .ConductorAPI().build_instances(
                                     c, INSTANCE, s, [], "h1", "boom")),
        "scheduler": ("call", lambda c, s: scheduler_rpcapi.SchedulerAPI()
                      .select_destinations(c, s, [INSTANCE])),
    }[service]


@pytest.mark.parametrize("pin, version, shape", [
    (None, "1.1", rs.RequestSpec), ("1.0", "1.0", dict)])
@pytest.mark.parametrize("service", ["compute", "conductor-build",
                                     "conductor-reschedule", "scheduler"])
def test_pin_decides_the_spec_shape(nimbus_conf, service, pin, version,
                                    shape):
    if service == "compute" and pin is None:
        version = "1.17"   # the build arrives spawning (see below)
    if pin:
        nimbus_conf.set_override(service.split("-")[0], pin,
                                 "upgrade_levels")
    verb, send = _sends(service)
    spec = kit.make_spec(tried_hosts=["h0"], attempts=2)
    ctxt = nimbus_context.get_admin_context()
    with mock.patch.object(rpc_client._BaseCallContext, verb,
                           autospec=True) as sent:
        send(ctxt, spec)
    (call_context, _ctxt, _method), kwargs = sent.call_args
    assert call_context.target.version == version
    assert type(kwargs["request_spec"]) is shape
    if shape is dict:
        assert kwargs["request_spec"] == spec.to_legacy_dict()


@pytest.mark.parametrize("pin, version, arrives_spawning", [
    (None, "1.17", True), ("1.16", "1.1", False)])
def test_pin_decides_who_writes_spawning(nimbus_conf, pin, version,
                                         arrives_spawning):
    """From compute RPC 1.17 conductor's placement writes ``spawning``;
    a compute pinned below it is sent the build as before and sets it
    itself."""
    if pin:
        nimbus_conf.set_override("compute", pin, "upgrade_levels")
    api = compute_rpcapi.ComputeAPI()
    assert api.builds_arrive_spawning() is arrives_spawning
    with mock.patch.object(rpc_client._BaseCallContext, "cast",
                           autospec=True) as sent:
        api.build_and_run_instance(
            nimbus_context.get_admin_context(),
            instance_obj.Instance(uuid=INSTANCE, host="h1"), "h1",
            kit.make_spec(), [])
    assert sent.call_args.args[0].target.version == version


@pytest.mark.parametrize("pin, version, kwargs", [
    (None, "1.18", {"has_volumes": False}), ("1.17", "1.0", {})])
def test_pin_decides_whether_terminate_says_if_there_are_volumes(
        nimbus_conf, pin, version, kwargs):
    """From compute RPC 1.18 the API says whether the server has volumes;
    an older compute is sent the terminate as before and reads them."""
    if pin:
        nimbus_conf.set_override("compute", pin, "upgrade_levels")
    with mock.patch.object(rpc_client._BaseCallContext, "cast",
                           autospec=True) as sent:
        compute_rpcapi.ComputeAPI().terminate_instance(
            nimbus_context.get_admin_context(),
            instance_obj.Instance(uuid=INSTANCE, host="h1"),
            has_volumes=False)
    (call_context, _ctxt, method), sent_kwargs = sent.call_args
    assert method == "terminate_instance"
    assert call_context.target.version == version
    assert set(sent_kwargs) == {"instance"} | set(kwargs)


def test_legacy_dict_has_the_previous_release_shape():
    legacy = kit.make_spec().to_legacy_dict()
    assert set(legacy) == LEGACY_KEYS
    assert legacy["flavor"] == {
        "flavorid": "1", "name": "m1.small", "vcpus": 1, "memory_mb": 512,
        "root_gb": 1, "ephemeral_gb": 0, "swap": 0, "extra_specs": {}}
    assert legacy["image"] == {"id": "image-1", "properties": {}}
    rescheduling = kit.make_spec(requested_hosts=["h2"]).to_legacy_dict()
    assert rescheduling["requested_hosts"] == ["h2"]


def test_legacy_dict_round_trips_and_is_a_copy():
    spec = kit.make_spec(
        extra_specs={"ssd": "true"}, availability_zone="az-1",
        scheduler_hints={"same_host": ["i1"]}, tried_hosts=["h1"],
        requested_hosts=["h2"], attempts=2,
        group={"uuid": "g", "policy": "anti-affinity",
               "rules": {"max_server_per_host": 2}, "hosts": ["h1"]})
    legacy = spec.to_legacy_dict()
    assert rs.RequestSpec.from_legacy_dict(legacy).to_dict() == \
        spec.to_dict()
    legacy["flavor"]["extra_specs"]["ssd"] = "false"
    legacy["group"]["hosts"].append("h3")
    assert spec.flavor["extra_specs"] == {"ssd": "true"}
    assert spec.group["hosts"] == ["h1"]


@pytest.mark.parametrize("bad, message", [
    ({"colour": "red"}, "unknown keys \\['colour'\\]"),
    ({"flavor": {"vcpus": "many", "memory_mb": 1}}, "flavor\\['vcpus'\\]")])
def test_from_legacy_dict_rejects_what_no_release_sent(bad, message):
    legacy = dict(kit.make_spec().to_legacy_dict(), **bad)
    with pytest.raises(ValueError, match=message):
        rs.RequestSpec.from_legacy_dict(legacy)


def test_from_rpc_takes_either_shape():
    spec = kit.make_spec(tried_hosts=["h1"])
    assert rs.RequestSpec.from_rpc(spec) is spec
    received = rs.RequestSpec.from_rpc(spec.to_legacy_dict())
    assert received.to_dict() == spec.to_dict()


# -- every server takes the legacy dict: a pinned deployment works --------

@pytest.fixture
def pinned_stack(nimbus_conf):
    """nimbus-all with every client pinned to 1.0 (so every spec crosses
    RPC as the legacy dict); fake-1 is preferred and fails every spawn,
    so each build is rescheduled by its compute."""
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.plugins.hypervisors.fake import conf as fake_conf
    for service in ("compute", "conductor", "scheduler"):
        nimbus_conf.set_override(service, "1.0", "upgrade_levels")
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("fail_hosts", ["fake-1"], "fake")
    nimbus_conf.set_override("host_capacity", {
        "fake-1": "8/16384/100", "fake-2": "8/8192/100"}, "fake")
    started = all_daemon.start_all(nimbus_conf)
    running = Stack(nimbus_conf, started)
    yield running
    running.stop()


def test_pinned_deployment_builds_and_reschedules(pinned_stack):
    conn = pinned_stack.sdk("admin:admin")
    server = conn.compute.create_server(
        name="pinned", image_id=DEMO_IMAGE, flavor_id="1", networks="auto")

    def settled():
        found = conn.compute.get_server(server.id)
        assert found.status in ("BUILD", "ACTIVE"), found.fault
        return found if found.status == "ACTIVE" else None
    assert wait_until(settled, 30, message="ACTIVE").compute_host == \
        "fake-2"
