"""Computes report their hypervisor's capabilities with the node, and
the ComputeNode object drops them for receivers older than 1.2."""

import dataclasses

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core.compute import resource_tracker
from nimbus.core.db import api as db_api
from nimbus.core.objects import compute_node
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from nimbus.plugins.hypervisors.fake import driver as fake_driver

CAPS = {"pause": False, "suspend": True, "soft_reboot": True}


def _node(**values):
    node = compute_node.ComputeNode(
        id=1, host="h1", hypervisor_hostname="h1", hypervisor_type="fake",
        vcpus=4, memory_mb=4096, local_gb=100, **values)
    node.obj_reset_changes()
    return node


@pytest.mark.parametrize("target", ["1.1", "1.0"])
def test_backport_drops_capabilities(target):
    primitive = _node(capabilities=CAPS).obj_to_primitive(
        target_version=target)
    data = primitive["nimbus_object.data"]
    assert primitive["nimbus_object.version"] == target
    assert "capabilities" not in data
    assert data["host"] == "h1"


def test_current_version_keeps_capabilities():
    primitive = _node(capabilities=CAPS).obj_to_primitive()
    assert primitive["nimbus_object.version"] == \
        compute_node.ComputeNode.VERSION
    assert primitive["nimbus_object.data"]["capabilities"] == CAPS
    back = compute_node.ComputeNode.obj_from_primitive(primitive)
    assert back.capabilities == CAPS


def _tracker(conf, host, disabled=()):
    fake_conf.register_opts(conf)
    conf.set_override("disabled_capabilities", list(disabled), "fake")
    driver = fake_driver.FakeDriver(conf, host)
    return resource_tracker.ResourceTracker(conf, host, driver), driver


def test_report_sends_the_driver_capabilities(db):
    tracker, driver = _tracker(db, "h1", ["pause"])
    node = tracker.update_available_resource()
    expected = dataclasses.asdict(driver.capabilities)
    assert expected["pause"] is False and expected["suspend"] is True
    assert node.capabilities == expected
    ctx = nimbus_context.get_admin_context()
    assert db_api.compute_nodes.get_capabilities(ctx, "h1", "h1") == {
        "hypervisor_type": "fake", "capabilities": expected}
    again = tracker.update_available_resource()
    assert again.generation == node.generation


def test_changed_capabilities_are_recorded(db):
    tracker, _ = _tracker(db, "h1", ["pause"])
    first = tracker.update_available_resource()
    tracker, _ = _tracker(db, "h1")
    second = tracker.update_available_resource()
    assert second.capabilities["pause"] is True
    assert second.generation == first.generation + 1


def test_node_of_an_older_compute_has_no_capabilities(db):
    ctx = nimbus_context.get_admin_context()
    db_api.compute_nodes.report_inventory(ctx, "old", "old", {
        "hypervisor_type": "fake", "hypervisor_version": 1, "vcpus": 4,
        "memory_mb": 4096, "local_gb": 100})
    row = db_api.compute_nodes.get_capabilities(ctx, "old")
    assert row == {"hypervisor_type": "fake", "capabilities": None}
    node = compute_node.ComputeNodeList.get_all(ctx, host="old")[0]
    assert node.capabilities is None
    assert db_api.compute_nodes.get_capabilities(ctx, "nowhere") is None
