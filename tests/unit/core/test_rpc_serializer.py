"""The RPC serializer passes plain JSON data as it is and gives anything
else to oslo.versionedobjects' serializer: what crosses RPC is what ovo
alone would have made of it."""

import datetime

import pytest
from oslo_versionedobjects import base as ovo_base

from nimbus.core import rpc
from nimbus.core.objects import base as objects_base
from nimbus.core.objects import instance as instance_obj

UUID = "8a4c2d26-6b3b-4a0e-9f43-3d1a2e2a0001"
VIFS = [{"id": UUID, "mac": "fa:16:3e:00:00:01", "fixed_ips": ["10.0.0.5"],
         "network": {"id": UUID, "dns_servers": [], "mtu": None,
                     "dhcp_enabled": True, "ratio": 1.5},
         "floating_ips": {}, "rules": []}]


@pytest.fixture
def serializer():
    return rpc.RequestContextSerializer()


@pytest.fixture
def ovo():
    return objects_base.NimbusObjectSerializer()


@pytest.mark.parametrize("value", [VIFS, {"hosts": ["h1", "h2"]}, "h1", 3,
                                   None, [], {}])
def test_plain_data_passes_as_it_is(serializer, ovo, value):
    assert serializer.serialize_entity(None, value) is value
    assert serializer.deserialize_entity(None, value) is value
    assert serializer.serialize_entity(None, value) == \
        ovo.serialize_entity(None, value)


def _instance():
    return instance_obj.Instance.from_row(None, {"uuid": UUID, "id": 3,
                                                 "host": "h1"})


def test_an_object_anywhere_goes_through_ovo(serializer, ovo):
    value = {"vifs": VIFS, "instances": [_instance()]}
    sent = serializer.serialize_entity(None, value)
    assert sent == ovo.serialize_entity(None, value)
    assert "nimbus_object.name" in sent["instances"][0]
    back = serializer.deserialize_entity(None, sent)
    assert isinstance(back["instances"][0], instance_obj.Instance)
    assert (back["instances"][0].uuid, back["vifs"]) == (UUID, VIFS)


def test_a_serialized_object_alone_is_hydrated(serializer):
    back = serializer.deserialize_entity(
        None, _instance().obj_to_primitive())
    assert isinstance(back, ovo_base.VersionedObject)
    assert back.host == "h1"


@pytest.mark.parametrize("value", [
    ("a", "b"), {"a", "b"}, [datetime.datetime(2026, 12, 4)],
    {"nested": ("x", 1)}])
def test_other_types_are_left_to_ovo(serializer, ovo, value):
    assert serializer.serialize_entity(None, value) == \
        ovo.serialize_entity(None, value)
    assert serializer.deserialize_entity(None, value) == \
        ovo.deserialize_entity(None, value)
