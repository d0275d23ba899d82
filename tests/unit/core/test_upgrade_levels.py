"""Rolling upgrades: ``[upgrade_levels]`` caps what each RPC client sends,
and objects reach a service of the previous release at the versions it
knows (conductor backports them, through the RPC serializer)."""

import contextlib
from unittest import mock

import pytest
from oslo_versionedobjects import base as ovo_base

from nimbus.core import context as nimbus_context
from nimbus.core import rpc
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.conductor import manager as conductor_manager
from nimbus.core.conductor import rpcapi as conductor_rpcapi
from nimbus.core.objects import compute_node
from nimbus.core.scheduler import rpcapi as scheduler_rpcapi

CLIENTS = [("compute", compute_rpcapi, compute_rpcapi.ComputeAPI),
           ("conductor", conductor_rpcapi, conductor_rpcapi.ConductorAPI),
           ("scheduler", scheduler_rpcapi, scheduler_rpcapi.SchedulerAPI)]
CAPS = {"pause": True, "suspend": False}
INVENTORY = {"hypervisor_type": "fake", "hypervisor_version": 1,
             "vcpus": 4, "memory_mb": 4096, "local_gb": 100,
             "capabilities": CAPS}
NODE = "ComputeNode"


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
    assert node.VERSION == "1.2" and node.capabilities == CAPS
    assert conductor.sent[0]["nimbus_object.version"] == "1.2"


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_serializer_has_conductor_backport_a_newer_node(older_compute,
                                                        version):
    """A ComputeNode 1.2 reaching an older compute some other way (say,
    in a cast) goes back to conductor with the compute's manifest and
    returns readable."""
    ctxt, conductor, old = older_compute(version)
    node = compute_node.ComputeNode(
        ctxt, id=1, uuid="6d1c5a4e-8f3b-4c55-9d47-2b9a1f0e7c31", host="h1",
        hypervisor_hostname="h1", hypervisor_type="fake",
        hypervisor_version=1, vcpus=4, memory_mb=4096, local_gb=100,
        capabilities=CAPS)
    sent = rpc.RequestContextSerializer().serialize_entity(ctxt, node)
    assert sent["nimbus_object.version"] == "1.2"
    with _registry([old]):
        received = rpc.RequestContextSerializer().deserialize_entity(
            ctxt, sent)
    assert conductor.backports == [{NODE: version}]
    _assert_sent_at(conductor.sent[0], version)
    assert type(received) is old and received.VERSION == version
    assert received.host == "h1"
