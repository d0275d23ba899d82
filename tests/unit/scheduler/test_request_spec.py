"""RequestSpec: built for a boot, crosses RPC as a versioned object."""

import json
import types

import pytest

from nimbus.core import objects
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.objects import base
from nimbus.core.objects import flavor as flavor_obj
from nimbus.core.testing import scheduler as kit


def _boot_spec():
    flavor = flavor_obj.Flavor(flavorid="42", name="m1.big", vcpus=4,
                               memory_mb=8192, root_gb=20, ephemeral_gb=5,
                               swap=1536, extra_specs={"ssd": "true"})
    context = types.SimpleNamespace(project_id="p", user_id="u")
    return rs.RequestSpec.for_boot(
        context, flavor, {"id": "img", "properties": {"hw_architecture":
                                                       "x86_64"}},
        2, "az-1", {"same_host": ["i1"], "query": ["=", "$host", "a"]},
        group={"uuid": "g", "policy": "anti-affinity",
               "rules": {"max_server_per_host": 2}, "hosts": []})


def test_for_boot_copies_the_request():
    spec = _boot_spec()
    assert (spec.project_id, spec.user_id, spec.num_instances) == \
        ("p", "u", 2)
    assert spec.flavor == {"flavorid": "42", "name": "m1.big", "vcpus": 4,
                           "memory_mb": 8192, "root_gb": 20,
                           "ephemeral_gb": 5, "swap": 1536,
                           "extra_specs": {"ssd": "true"}}
    assert spec.image == {"id": "img",
                          "properties": {"hw_architecture": "x86_64"}}
    assert spec.group["rules"] == {"max_server_per_host": 2}
    assert (spec.tried_hosts, spec.requested_hosts, spec.attempts) == \
        ([], [], 1)


def test_crosses_rpc_as_the_object():
    objects.register_all()
    serializer = base.NimbusObjectSerializer()
    spec = _boot_spec()
    wire = json.loads(json.dumps(serializer.serialize_entity(None, spec)))
    assert wire["nimbus_object.name"] == "RequestSpec"
    assert wire["nimbus_object.version"] == "1.3"
    back = serializer.deserialize_entity(None, wire)
    assert isinstance(back, rs.RequestSpec)
    assert back.to_dict() == spec.to_dict()


def test_disk_includes_ephemeral_and_swap_rounded_up():
    assert _boot_spec().disk_gb() == 20 + 5 + 2
    assert kit.make_spec(root_gb=0, swap=0).disk_gb() == 0


@pytest.mark.parametrize("hints, expected", [
    ({}, []), ({"x": "a"}, ["a"]), ({"x": ["a", 1]}, ["a", "1"])])
def test_hint_list(hints, expected):
    assert kit.make_spec(scheduler_hints=hints).hint_list("x") == expected


def test_group_policy():
    assert kit.make_spec().group_policy() is None
    assert _boot_spec().group_policy() == "anti-affinity"


def test_with_group_hosts_copies():
    spec = _boot_spec()
    placed = spec.with_group_hosts(["a", "a"])
    assert placed.group["hosts"] == ["a", "a"]
    assert spec.group["hosts"] == []
    with pytest.raises(ValueError, match="no server group"):
        kit.make_spec().with_group_hosts(["a"])


def test_json_fields_take_string_keyed_dicts_only():
    with pytest.raises(ValueError, match="dict is required"):
        kit.make_spec(scheduler_hints=["a"])
    with pytest.raises(ValueError, match="string keys"):
        kit.make_spec(scheduler_hints={1: "a"})


@pytest.mark.parametrize("fields, message", [
    ({"flavor": {"vcpus": 1}}, "'memory_mb' is required"),
    ({"flavor": {"vcpus": 1, "memory_mb": 1, "ram": 1}}, "unknown keys"),
    ({"flavor": {"vcpus": "many", "memory_mb": 1}}, "flavor\\['vcpus'\\]"),
    ({"image": "img"}, "dict is required"),
    ({"group": {"uuid": "g"}}, "'policy' is required"),
    ({"group": {"uuid": "g", "policy": "p", "hosts": "h"}}, "list"),
])
def test_dict_fields_are_checked(fields, message):
    values = {"flavor": {"vcpus": 1, "memory_mb": 1}, "image": {}}
    with pytest.raises(ValueError, match=message):
        rs.RequestSpec(**dict(values, **fields))


def test_dict_fields_are_completed():
    spec = rs.RequestSpec(flavor={"vcpus": "2", "memory_mb": 64,
                                  "extra_specs": {"a": 1}}, image={})
    assert spec.flavor == {"flavorid": "", "name": "", "vcpus": 2,
                           "memory_mb": 64, "root_gb": 0, "ephemeral_gb": 0,
                           "swap": 0, "extra_specs": {"a": "1"}}
    assert spec.image == {"id": None, "properties": {}}


def test_unset_required_field_is_named():
    with pytest.raises(AttributeError, match="RequestSpec.flavor"):
        _ = rs.RequestSpec().flavor


def test_wire_shape_is_pinned_to_the_version():
    """Changing what crosses RPC needs a new VERSION (and this pin)."""
    assert rs.RequestSpec.VERSION == "1.3"
    assert list(rs.RequestSpec.fields) == [
        "project_id", "user_id", "num_instances", "flavor", "image",
        "availability_zone", "scheduler_hints", "group",
        "requested_networks", "security_groups", "tried_hosts",
        "requested_hosts", "requested_destination", "attempts",
        "has_volumes"]
    assert rs.DESTINATION.names == ("host", "node")
    assert rs.FLAVOR.names == ("flavorid", "name", "vcpus", "memory_mb",
                               "root_gb", "ephemeral_gb", "swap",
                               "extra_specs")
    assert rs.IMAGE.names == ("id", "properties")
    assert rs.GROUP.names == ("uuid", "policy", "rules", "hosts")


def test_networks_cross_rpc_and_are_dropped_for_a_1_0_receiver():
    objects.register_all()
    spec = _boot_spec()
    spec.requested_networks = [{"network_id": "n1", "fixed_ip": None,
                                "port_id": None}]
    spec.security_groups = ["web"]
    serializer = base.NimbusObjectSerializer()
    wire = json.loads(json.dumps(serializer.serialize_entity(None, spec)))
    back = serializer.deserialize_entity(None, wire)
    assert back.requested_networks == spec.requested_networks
    assert back.security_groups == ["web"]
    old = spec.obj_to_primitive(target_version="1.0")
    assert old["nimbus_object.version"] == "1.0"
    assert "requested_networks" not in old["nimbus_object.data"]
    assert "security_groups" not in old["nimbus_object.data"]
    assert "requested_networks" not in spec.to_legacy_dict()


def test_requested_destination_crosses_rpc_and_becomes_a_requested_host_for_older_receivers():
    """2.74: the destination a create asked for; a receiver before 1.2
    (or of the legacy dict) is told its host as the one requested host,
    which it honours."""
    objects.register_all()
    spec = _boot_spec()
    spec.requested_destination = {"host": "c1", "node": "c1-node"}
    serializer = base.NimbusObjectSerializer()
    wire = json.loads(json.dumps(serializer.serialize_entity(None, spec)))
    back = serializer.deserialize_entity(None, wire)
    assert back.requested_destination == {"host": "c1", "node": "c1-node"}
    older = spec.obj_to_primitive(target_version="1.1")["nimbus_object.data"]
    assert "requested_destination" not in older
    assert older["requested_hosts"] == ["c1"]
    legacy = spec.to_legacy_dict()
    assert "requested_destination" not in legacy
    assert legacy["requested_hosts"] == ["c1"]
    # a node alone cannot be told to them: nothing is requested
    spec.requested_destination = {"node": "c1-node"}
    assert "requested_hosts" not in spec.to_legacy_dict()
    assert spec.requested_destination == {"host": None, "node": "c1-node"}


def test_has_volumes_crosses_rpc_and_is_dropped_for_older_receivers():
    """1.3: whether the create maps volumes; a receiver before 1.3 (or
    of the legacy dict) never sees it, and a spec from one reads as not
    known (None), never as "no volumes"."""
    objects.register_all()
    spec = _boot_spec()
    assert spec.has_volumes is None
    spec.has_volumes = False
    serializer = base.NimbusObjectSerializer()
    wire = json.loads(json.dumps(serializer.serialize_entity(None, spec)))
    assert serializer.deserialize_entity(None, wire).has_volumes is False
    older = spec.obj_to_primitive(target_version="1.2")
    assert "has_volumes" not in older["nimbus_object.data"]
    assert "has_volumes" not in spec.to_legacy_dict()
    assert rs.RequestSpec.from_legacy_dict(
        spec.to_legacy_dict()).has_volumes is None


@pytest.mark.parametrize("wanted, host, node, allowed", [
    (None, "a", "a-1", True),
    ({"host": "a"}, "a", "a-1", True),
    ({"host": "a"}, "b", "b-1", False),
    ({"node": "a-2"}, "a", "a-1", False),
    ({"node": "a-2"}, "a", "a-2", True),
    ({"host": "a", "node": "a-2"}, "b", "a-2", False),
    ({"host": "a", "node": "a-2"}, "a", "a-2", True),
])
def test_destination_allows(wanted, host, node, allowed):
    spec = kit.make_spec(requested_destination=wanted)
    assert spec.destination_allows(host, node) is allowed
