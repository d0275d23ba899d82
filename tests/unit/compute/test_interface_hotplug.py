"""NIC hot-plug on the compute host: the manager allocates the port
through nimbus-network (a stub here), plugs it with the network plugin's
host side (the fake), filters it and hot-plugs it into the guest (the
fake hypervisor); whatever fails after the allocation is undone."""

import contextlib
from unittest import mock

import oslo_messaging as messaging
import pytest

from nimbus.core import exception
from nimbus.core.compute import guest_spec
from nimbus.core.compute import manager as compute_manager
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from nimbus.plugins.networks import fake as fake_network
from tests.unit import workflow_fakes as wf

PORT = "11111111-2222-4333-8444-555555555555"


def _vif(instance_uuid, port_id=PORT):
    return {"id": port_id, "mac": "fa:16:3e:00:00:07",
            "network": {"id": "net-1", "name": "private",
                        "cidr": "10.0.0.0/24", "gateway": "10.0.0.1",
                        "bridge": "br100", "vlan": None},
            "fixed_ips": ["10.0.0.7"], "floating_ips": {},
            "rules": [{"direction": "ingress", "protocol": "icmp"}],
            "instance_uuid": instance_uuid, "hostname": "vm"}


class _NetworkRpc:
    """nimbus-network as the compute sees it: records the calls."""

    def __init__(self):
        self.calls = []

    def allocate_port_for_instance(self, ctx, instance_uuid, project_id,
                                   host, network_id=None, port_id=None,
                                   fixed_ip=None, hostname=None):
        self.calls.append(("allocate", instance_uuid, network_id,
                           fixed_ip, host))
        return _vif(instance_uuid)

    def deallocate_port(self, ctx, instance_uuid, port_id, host):
        self.calls.append(("deallocate", instance_uuid, port_id, host))
        return _vif(instance_uuid, port_id)


@pytest.fixture
def compute(db_api, nimbus_conf):
    nimbus_conf.set_override("backend", "fake", group="images")
    manager = compute_manager.ComputeManager(
        nimbus_conf, wf.HOST,
        driver=fake_driver.FakeDriver(nimbus_conf, wf.HOST),
        network_driver=fake_network.FakeNetwork(nimbus_conf, wf.HOST))
    manager._conductor = mock.Mock()
    manager._network = _NetworkRpc()
    return manager


@contextlib.contextmanager
def raises(kind, match=None):
    """The RPC method raised ``kind`` (oslo.messaging wraps exceptions a
    method declares as expected)."""
    with pytest.raises(messaging.ExpectedException) as err:
        yield
    error = err.value.exc_info[1]
    assert isinstance(error, kind), error
    if match:
        assert match in str(error)


def _running(compute, ctx):
    instance = wf.create_instance(ctx)
    compute.driver.spawn(ctx, guest_spec.build(ctx, instance,
                                               compute.images))
    return instance


def test_attach_allocates_plugs_filters_and_hotplugs(compute):
    ctx = wf.user_context()
    instance = _running(compute, ctx)
    vif = compute.attach_interface(ctx, instance, network_id="net-1",
                                   fixed_ip="10.0.0.7")
    assert vif["id"] == PORT
    assert compute.network.calls == [
        ("allocate", instance.uuid, "net-1", "10.0.0.7", wf.HOST)]
    plugged = compute.network_driver.plugged[PORT]
    assert (plugged.mac, plugged.bridge) == ("fa:16:3e:00:00:07", "br100")
    assert [r.protocol for r in
            compute.network_driver.filters[PORT].rules] == ["icmp"]
    assert compute.driver.vifs(instance.uuid)[PORT]["mac"] == \
        "fa:16:3e:00:00:07"


def test_failed_hotplug_unplugs_and_gives_the_port_back(compute):
    ctx = wf.user_context()
    instance = _running(compute, ctx)
    with mock.patch.object(compute.driver, "attach_interface",
                           side_effect=exception.HypervisorError(
                               reason="no PCI slot")):
        with raises(exception.HypervisorError, match="no PCI slot"):
            compute.attach_interface(ctx, instance, network_id="net-1")
    assert compute.network.calls[-1] == (
        "deallocate", instance.uuid, PORT, wf.HOST)
    assert PORT not in compute.network_driver.plugged
    assert PORT not in compute.network_driver.filters
    assert compute.driver.vifs(instance.uuid) == {}


def test_failed_allocation_touches_nothing(compute):
    ctx = wf.user_context()
    instance = _running(compute, ctx)
    with mock.patch.object(
            compute.network, "allocate_port_for_instance",
            side_effect=exception.FixedIpAlreadyInUse(
                address="10.0.0.7", network_id="net-1")):
        with raises(exception.FixedIpAlreadyInUse):
            compute.attach_interface(ctx, instance, network_id="net-1",
                                     fixed_ip="10.0.0.7")
    assert compute.network_driver.plugged == {}
    assert compute.driver.vifs(instance.uuid) == {}


def test_detach_unplugs_from_guest_and_host_and_gives_back(compute):
    ctx = wf.user_context()
    instance = _running(compute, ctx)
    compute.attach_interface(ctx, instance, network_id="net-1")
    compute.detach_interface(ctx, instance, PORT)
    assert compute.driver.vifs(instance.uuid) == {}
    assert PORT not in compute.network_driver.plugged
    assert PORT not in compute.network_driver.filters
    assert compute.network.calls[-1] == (
        "deallocate", instance.uuid, PORT, wf.HOST)


def test_detach_failing_in_the_guest_keeps_the_port(compute):
    ctx = wf.user_context()
    instance = _running(compute, ctx)
    compute.attach_interface(ctx, instance, network_id="net-1")
    with mock.patch.object(compute.driver, "detach_interface",
                           side_effect=exception.HypervisorError(
                               reason="guest busy")):
        with raises(exception.HypervisorError):
            compute.detach_interface(ctx, instance, PORT)
    assert compute.network.calls[-1][0] == "allocate"
    assert PORT in compute.network_driver.plugged
