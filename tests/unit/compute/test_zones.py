"""The zone a server is in (its host's) and the zone it is pinned to."""

import types

import pytest

from nimbus.core import context
from nimbus.core.compute import zones


def _instance(zone, sysmeta):
    return types.SimpleNamespace(availability_zone=zone,
                                 system_metadata=sysmeta)


@pytest.mark.parametrize("asked, zone", [
    (None, None), ("", None), ("zone-b", "zone-b"),
    # a create forcing a host pins the zone part only, if any
    ("zone-b:fake-2", "zone-b"), (":fake-2", None),
    ("zone-b:fake-2:node", "zone-b"),
])
def test_the_pin_of_a_create_is_the_zone_part(asked, zone):
    assert zones.requested_zone(asked) == zone


@pytest.mark.parametrize("zone, sysmeta, pinned", [
    # the pin, not the zone of the host the server is on
    ("zone-b", {zones.PIN: None}, None),
    ("zone-b", {zones.PIN: "nova"}, "nova"),
    ("nova", {zones.PIN: "zone-b", "locked_reason": "x"}, "zone-b"),
    # recorded before the pin was kept apart: the zone was the pin
    ("zone-b", {}, "zone-b"), (None, {}, None), ("zone-b:fake-2", {},
                                                 "zone-b"),
    (None, None, None),
])
def test_pinned_reads_the_pin(zone, sysmeta, pinned):
    assert zones.pinned(_instance(zone, sysmeta)) == pinned


def test_placing_sets_the_zone_and_keeps_the_pin():
    instance = _instance("nova", {zones.PIN: None, "x": "1"})
    zones.place(instance, "zone-b")
    assert (instance.availability_zone, instance.system_metadata) == (
        "zone-b", {zones.PIN: None, "x": "1"})
    # a server recorded before: its zone becomes its recorded pin
    legacy = _instance("nova", {"x": "1"})
    zones.place(legacy, "zone-b")
    assert (legacy.availability_zone, zones.pinned(legacy),
            legacy.system_metadata) == ("zone-b", "nova",
                                        {zones.PIN: "nova", "x": "1"})


def test_with_pin_copies():
    sysmeta = {"x": "1"}
    assert zones.with_pin(sysmeta, "zone-b") == {"x": "1",
                                                 zones.PIN: "zone-b"}
    assert zones.with_pin(None, None) == {zones.PIN: None}
    assert sysmeta == {"x": "1"}


def test_a_host_is_in_its_aggregates_zone_else_the_default(nimbus_conf,
                                                            db_api):
    admin = context.get_admin_context()
    for host in ("fake-1", "fake-2"):
        db_api.services.register(admin, host, "nimbus-compute", "compute",
                                 1)
    for name, zone, hosts in (("plain", None, ["fake-2"]),
                              ("b", "zone-b", ["fake-2"]),
                              ("c", "zone-c", [])):
        aggregate = db_api.aggregates.create(admin, name,
                                             availability_zone=zone)
        for host in hosts:
            db_api.aggregates.add_host(admin, aggregate["id"], host)
    assert zones.host_zone(nimbus_conf, db_api, admin, "fake-2") == \
        "zone-b"
    assert zones.host_zone(nimbus_conf, db_api, admin, "fake-1") == \
        nimbus_conf.compute.default_availability_zone == "nova"
    nimbus_conf.set_override("default_availability_zone", "zone-a",
                             "compute")
    assert zones.host_zone(nimbus_conf, db_api, admin, "fake-1") == \
        "zone-a"
