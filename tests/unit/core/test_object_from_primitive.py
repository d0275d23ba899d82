"""Objects that crossed RPC are hydrated with ``from_row``'s shortcut
(plain values of the field's type stored as they are) and come out as
oslo.versionedobjects' own hydration makes them: the same values, of the
same types, the same changed fields."""

import datetime

from oslo_versionedobjects import base as ovo_base

from nimbus.core import rpc
from nimbus.core.interfaces import request_spec
from nimbus.core.objects import base as objects_base
from nimbus.core.objects import instance as instance_obj

UUID = "8a4c2d26-6b3b-4a0e-9f43-3d1a2e2a0001"


def _both(obj):
    """``obj`` hydrated from its primitive by nimbus and by ovo."""
    primitive = obj.obj_to_primitive()
    ours = type(obj).obj_from_primitive(primitive)
    data = primitive["nimbus_object.data"]
    theirs = ovo_base.VersionedObject._obj_from_primitive.__func__(
        type(obj), None, obj.VERSION,
        dict(primitive, **{"nimbus_object.data": data}))
    return ours, theirs


def _fields(obj):
    return {name: (getattr(obj, name), type(getattr(obj, name)))
            for name in obj.fields if obj.obj_attr_is_set(name)}


def test_an_instance_comes_back_as_ovo_would_make_it():
    obj = instance_obj.Instance.from_row(None, {
        "id": 7, "uuid": UUID, "display_name": "web", "project_id": "p",
        "user_id": "u", "host": None, "vm_state": "active", "locked": True,
        "launched_at": datetime.datetime(2026, 12, 4, 14, 0, 0),
        "metadata_json": '{"a": "b"}', "extra_specs": '{"hw:x": "1"}'})
    obj.task_state = "deleting"
    ours, theirs = _both(obj)
    assert _fields(ours) == _fields(theirs)
    assert ours.launched_at.utcoffset() == datetime.timedelta(0)
    assert ours.obj_what_changed() == theirs.obj_what_changed() == \
        {"task_state"}
    assert not ours.obj_attr_is_set("node")


def test_a_request_spec_keeps_its_defaults_and_values():
    spec = request_spec.RequestSpec(
        project_id="p", user_id="u", num_instances=2,
        scheduler_hints={"same_host": [UUID]},
        requested_networks=[{"network_id": UUID, "fixed_ip": None,
                             "port_id": None}],
        security_groups=["default"], has_volumes=None)
    ours, theirs = _both(spec)
    assert _fields(ours) == _fields(theirs)
    assert ours.attempts == 1 and ours.tried_hosts == []


def test_a_value_not_of_the_fields_type_is_still_coerced():
    obj = instance_obj.Instance.from_row(None, {"uuid": UUID, "id": 3})
    primitive = obj.obj_to_primitive()
    data = primitive["nimbus_object.data"]
    data["display_name"] = 42     # a peer that sent an int
    data["locked"] = 1
    ours = instance_obj.Instance.obj_from_primitive(primitive)
    assert (ours.display_name, ours.locked) == ("42", True)


def test_the_rpc_serializer_round_trip_uses_it(monkeypatch):
    stored = []
    real = objects_base._store
    monkeypatch.setattr(objects_base, "_store", lambda obj, name, *rest: (
        stored.append(name), real(obj, name, *rest)))
    obj = instance_obj.Instance.from_row(None, {"uuid": UUID, "id": 3,
                                                "host": "h1"})
    stored.clear()
    serializer = rpc.RequestContextSerializer()
    back = serializer.deserialize_entity(
        None, serializer.serialize_entity(None, obj))
    assert isinstance(back, instance_obj.Instance)
    assert (back.uuid, back.id, back.host) == (UUID, 3, "h1")
    assert {"uuid", "id", "host"} <= set(stored)
