"""The compute side of networking over the fake hypervisor and the fake
network plugin, with nimbus-network's manager called in-process: a build
plugs and filters the VIFs nimbus-network allocated and spawns with them;
a failed build and a delete give everything back; security-group
refreshes reach the plugin. And the compute API: requested networks and
groups are checked before anything is recorded."""

import functools
import threading
import time
from unittest import mock

import oslo_messaging as messaging
import pytest

from nimbus.core import exception
from nimbus.core.compute import api as compute_api
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from nimbus.core.network import api as network_api
from nimbus.core.network import manager as network_manager
from nimbus.core.network import model
from nimbus.core.network import rpcapi as network_rpcapi
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from nimbus.plugins.networks import fake as fake_network
from tests.unit import workflow_fakes as wf


class InProcessNetwork:
    """The network rpcapi, calling a NetworkManager directly (and
    unwrapping what oslo.messaging would re-raise)."""

    def __init__(self, manager):
        self.manager = manager
        self.calls = []

    def can_take_bursts(self):
        return True

    def allocate_for_instances(self, context, host, requests,
                               held_groups=()):
        """As the rpcapi: rules naming groups kept, outcomes decoded."""
        return [network_rpcapi.burst_outcome(outcome, "vifs")
                for outcome in self.__getattr__("allocate_for_instances")(
                    context, host, requests, remote_groups=True,
                    held_groups=sorted(held_groups))]

    def deallocate_for_instances(self, context, host, instance_uuids):
        return [network_rpcapi.burst_outcome(outcome) for outcome in
                self.__getattr__("deallocate_for_instances")(
                    context, host, instance_uuids)]

    def __getattr__(self, name):
        method = getattr(self.manager, name)

        def call(context, *args, **kwargs):
            self.calls.append(name)
            try:
                return method(context, *args, **kwargs)
            except messaging.ExpectedException as err:
                raise err.exc_info[1] from None
        return call


@pytest.fixture
def net(db_api, nimbus_conf):
    service = network_api.NetworkAPI(nimbus_conf, db_api)
    service._network_rpc = mock.Mock()
    service._compute_rpc = mock.Mock()
    return service.create_network(wf.admin(), "private", "10.60.0.0/29")


@pytest.fixture
def network(db_api, nimbus_conf):
    manager = network_manager.NetworkManager(
        nimbus_conf, "net-1", db_api,
        driver=fake_network.FakeNetwork(nimbus_conf, "net-1"))
    manager._network_rpc = mock.Mock()
    manager._compute_rpc = mock.Mock()
    yield manager
    manager.cleanup_host()


@pytest.fixture
def compute(db_api, nimbus_conf, network):
    nimbus_conf.set_override("backend", "fake", group="images")
    manager = compute_manager.ComputeManager(
        nimbus_conf, wf.HOST,
        driver=fake_driver.FakeDriver(nimbus_conf, wf.HOST),
        network_driver=fake_network.FakeNetwork(nimbus_conf, wf.HOST))
    manager._conductor = mock.Mock()
    manager._network = InProcessNetwork(network)
    return manager


def _spec(ctx, net, **kwargs):
    return wf.make_spec(ctx, requested_networks=[
        {"network_id": net["id"], "fixed_ip": None, "port_id": None}],
        **kwargs)


def _ports(instance_uuid):
    return db.ports.get_all(wf.admin(), instance_uuid=instance_uuid)


def test_build_plugs_filters_and_spawns_with_the_vifs(compute, net):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    spawned = []
    spawn = compute.driver.spawn

    def recording_spawn(context, spec):
        spawned.append(spec)
        spawn(context, spec)

    with mock.patch.object(compute.driver, "spawn", recording_spawn):
        compute.build_and_run_instance(ctx, instance, _spec(ctx, net), [])
    assert wf.load(instance.uuid)["vm_state"] == vs.ACTIVE
    (port,) = _ports(instance.uuid)
    (vif,) = spawned[0].vifs
    assert (vif.id, vif.mac, vif.bridge) == (
        port["uuid"], port["mac_address"], net["bridge"])
    assert compute.network_driver.plugged == {port["uuid"]: vif}
    port_filter = compute.network_driver.filters[port["uuid"]]
    assert port_filter.port.mac == port["mac_address"]
    assert any(r.direction == "egress" for r in port_filter.rules)
    assert port["host"] == wf.HOST

    compute.terminate_instance(ctx, instance)
    assert _ports(instance.uuid) == []
    assert compute.network_driver.plugged == {}
    assert compute.network_driver.filters == {}
    assert db.networks.count_free(wf.admin(), net["id"]) == 5
    assert db.security_groups.groups_of_instances(
        wf.admin(), [instance.uuid])[instance.uuid] == []


def test_a_failed_spawn_gives_the_network_back(compute, net):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    err = exception.HypervisorError(reason="qemu died")
    with mock.patch.object(compute.driver, "spawn", side_effect=err):
        compute.build_and_run_instance(ctx, instance, _spec(ctx, net), [])
    assert wf.load(instance.uuid)["vm_state"] == vs.ERROR
    assert _ports(instance.uuid) == []
    assert compute.network_driver.plugged == {}
    assert db.networks.count_free(wf.admin(), net["id"]) == 5


def test_no_address_left_is_an_error_with_a_fault_and_no_leak(compute,
                                                              net):
    ctx = wf.user_context()
    for _ in range(5):
        compute.build_and_run_instance(ctx, wf.create_instance(ctx),
                                       _spec(ctx, net), [])
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, _spec(ctx, net),
                                   [wf.selection(wf.OTHER_HOST)])
    row = wf.load(instance.uuid)
    assert row["vm_state"] == vs.ERROR
    assert "No more IP addresses" in wf.fault(instance.uuid)["message"]
    compute.conductor.build_instances.assert_not_called()  # no reschedule
    assert _ports(instance.uuid) == []
    assert not compute.driver.instance_exists(instance.uuid)


def test_a_network_service_that_does_not_answer_is_said_so(compute, net,
                                                           nimbus_conf):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    with mock.patch.object(compute.network, "allocate_for_instance",
                           side_effect=messaging.MessagingTimeout(
                               "Timed out waiting for a reply")):
        compute.build_and_run_instance(ctx, instance, _spec(ctx, net), [])
    assert wf.load(instance.uuid)["vm_state"] == vs.ERROR
    message = wf.fault(instance.uuid)["message"]
    assert "nimbus-network did not answer within " \
        f"{nimbus_conf.network.allocate_timeout}s" in message
    assert "message ID" not in message


def test_a_build_without_networks_asks_nimbus_network_nothing(compute):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    compute.terminate_instance(ctx, instance)
    assert compute.network.calls == []


def test_refreshed_filters_reach_the_plugin(compute, net):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, _spec(ctx, net), [])
    (port,) = _ports(instance.uuid)
    vifs = compute.network.manager.get_host_vifs(ctx, wf.HOST)
    values = model.port_filter_dict(vifs[0])
    values["rules"] = [{"direction": "ingress", "protocol": "tcp",
                        "port_range_min": 22, "port_range_max": 22,
                        "remote_cidr": "0.0.0.0/0", "ethertype": "IPv4"}]
    compute.refresh_port_filters(ctx, [values])
    (rule,) = compute.network_driver.filters[port["uuid"]].rules
    assert (rule.protocol, rule.port_range_min) == ("tcp", 22)


def test_concurrent_builds_share_calls_and_give_everything_back(compute,
                                                                net):
    ctx = wf.user_context()
    instances = [wf.create_instance(ctx) for _ in range(4)]
    single = compute.network.manager.allocate_for_instance
    waiting = compute.network_bursts._boots.waiting

    def first_call_waits_for_the_others(*args, **kwargs):
        deadline = time.monotonic() + 5
        while waiting() < 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        return single(*args, **kwargs)
    compute.network.manager.allocate_for_instance = \
        first_call_waits_for_the_others
    threads = [threading.Thread(
        target=compute.build_and_run_instance,
        args=(ctx, instance, _spec(ctx, net), [])) for instance in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert compute.network.calls.count("allocate_for_instances") == 1
    ports = [p for i in instances for p in _ports(i.uuid)]
    assert all(wf.load(i.uuid)["vm_state"] == vs.ACTIVE for i in instances)
    assert len(ports) == 4 and set(compute.network_driver.plugged) == {
        p["uuid"] for p in ports}
    assert len(set(compute.network_driver.filters)) == 4
    threads = [threading.Thread(target=compute.terminate_instance,
                                args=(ctx, instance))
               for instance in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert [p for i in instances for p in _ports(i.uuid)] == []
    assert compute.network_driver.plugged == {}
    assert db.networks.count_free(wf.admin(), net["id"]) == 5


def test_a_guest_does_not_carry_the_members_its_host_holds(compute, net):
    ctx = wf.user_context()
    first, second = wf.create_instance(ctx), wf.create_instance(ctx)
    allocate = compute.network.manager.allocate_for_instance
    # What the rpcapi asks of a current network service (1.1, 1.3).
    spy = mock.Mock(side_effect=functools.partial(allocate,
                                                  remote_groups=True))
    compute.network.manager.allocate_for_instance = spy
    compute.build_and_run_instance(ctx, first, _spec(ctx, net), [])
    (group,) = compute.port_filters.held_groups()
    (address,) = db.networks.fixed_ips_of_ports(
        wf.admin(), [_ports(first.uuid)[0]["uuid"]]).popitem()[1]
    assert compute.port_filters.members(group) == {address}
    assert spy.call_args.kwargs["held_groups"] == []
    compute.build_and_run_instance(ctx, second, _spec(ctx, net), [])
    assert spy.call_args.kwargs["held_groups"] == [group]
    # The members stay what the host held until nimbus-network's push.
    assert compute.port_filters.members(group) == {address}
    compute.terminate_instance(ctx, first)
    assert compute.port_filters.held_groups() == [group]
    compute.terminate_instance(ctx, second)
    # No port here names the group: its pushes stop, so it is not held.
    assert compute.port_filters.held_groups() == []


def test_restart_replays_the_vifs_of_the_hosts_guests(compute, net,
                                                      nimbus_conf):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, _spec(ctx, net), [])
    restarted = compute_manager.ComputeManager(
        nimbus_conf, wf.HOST, driver=compute.driver,
        network_driver=fake_network.FakeNetwork(nimbus_conf, wf.HOST))
    restarted._network = compute.network
    restarted._vifs_known = False
    restarted._replay_vifs()
    assert list(restarted.network_driver.plugged) == list(
        compute.network_driver.plugged)
    assert restarted._vifs_known


# -- the compute API ----------------------------------------------------------

@pytest.fixture
def api(db_api, nimbus_conf):
    nimbus_conf.set_override("backend", "fake", group="images")
    service = compute_api.ComputeAPI(nimbus_conf, db_api)
    service._compute = mock.Mock()
    service._conductor = mock.Mock()
    service.network._network_rpc = mock.Mock()
    service.network._compute_rpc = mock.Mock()
    db.flavors.create(wf.admin(), {"flavorid": "1", "name": "m1.tiny",
                                   "vcpus": 1, "memory_mb": 512,
                                   "root_gb": 1})
    image = service.images.create(wf.admin(), {"name": "cirros"})
    service.images.upload(wf.admin(), image["id"], [b"disk"])
    service.image_id = image["id"]
    return service


def test_create_carries_the_checked_networks_and_groups(api, net):
    ctx = wf.user_context()
    api.create(ctx, "web", "1", api.image_id,
               requested_networks=[{"uuid": net["id"],
                                    "fixed_ip": "10.60.0.4"}],
               security_groups=["default"])
    (_ctx, _uuids, spec), _ = \
        api.conductor_rpc.schedule_and_build_instances.call_args
    assert spec.requested_networks == [
        {"network_id": net["id"], "fixed_ip": "10.60.0.4", "port_id": None}]
    assert spec.security_groups == ["default"]


@pytest.mark.parametrize("kwargs, error", [
    ({"requested_networks": [{"uuid": "00000000-0000-0000-0000-"
                                      "000000000000"}]},
     exception.InvalidNetworkRequest),
    ({"security_groups": ["nope"]}, exception.InvalidInput),
])
def test_a_bad_network_or_group_records_nothing(api, net, kwargs, error):
    with pytest.raises(error):
        api.create(wf.user_context(), "web", "1", api.image_id, **kwargs)
    assert db.instances.get_all(wf.admin()) == []
    api.conductor_rpc.schedule_and_build_instances.assert_not_called()


def test_a_taken_fixed_ip_is_a_conflict_before_anything_is_recorded(api,
                                                                    net):
    service = network_api.NetworkAPI(api.conf, api.db)
    service._network_rpc = mock.Mock()
    service.create_port(wf.user_context(), net["id"], fixed_ip="10.60.0.3")
    with pytest.raises(exception.FixedIpAlreadyInUse):
        api.create(wf.user_context(), "web", "1", api.image_id,
                   requested_networks=[{"uuid": net["id"],
                                        "fixed_ip": "10.60.0.3"}])
    assert db.instances.get_all(wf.admin()) == []


def test_a_local_delete_releases_the_network_records(api, net, network):
    ctx = wf.user_context()
    (instance,) = api.create(ctx, "web", "1", api.image_id)
    network.allocate_for_instance(wf.admin(), instance.uuid, "p1", None,
                                  [{"network_id": net["id"],
                                    "fixed_ip": None, "port_id": None}],
                                  [], None)
    api.delete(ctx, instance.uuid)
    assert _ports(instance.uuid) == []
    assert db.networks.count_free(wf.admin(), net["id"]) == 5


def test_a_server_moved_in_without_networks_asks_nimbus_network_nothing(
        compute):
    """finish_resize records a moved server's VIFs, an empty list for a
    server without networks: deleting it then costs no network call
    (there may be no nimbus-network to answer)."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    flavor = {"vcpus": instance.vcpus, "memory_mb": instance.memory_mb,
              "root_gb": instance.root_gb, "ephemeral_gb": 0, "swap": 0,
              "extra_specs": {}}
    migration = mock.Mock(source_compute=wf.OTHER_HOST,
                          dest_compute=wf.HOST)
    sent = compute.resize_instance(ctx, instance, migration, flavor,
                                   wf.HOST)
    assert sent["vifs"] == []
    compute.finish_resize(ctx, instance, migration, flavor, sent, True)
    assert compute.driver.instance_exists(instance.uuid)
    compute.terminate_instance(ctx, instance)
    assert compute.network.calls == []
