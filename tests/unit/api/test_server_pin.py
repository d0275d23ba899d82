"""2.96: the pinned zone of a server body, and the schemas that hold it."""

import types

import jsonschema

from nimbus.api.openstack.responses import servers as schemas
from nimbus.api.openstack.views import servers_extra
from nimbus.core.compute import zones


def test_the_pin_is_not_the_zone_the_server_is_in():
    # unpinned on a zone-b host; pinned to zone-b; recorded before the
    # pin was kept apart (its zone was the pin then)
    for zone, sysmeta, pinned in (("zone-b", {zones.PIN: None}, None),
                                  ("zone-b", {zones.PIN: "zone-b"},
                                   "zone-b"),
                                  ("zone-b:fake-2", {}, "zone-b")):
        instance = types.SimpleNamespace(availability_zone=zone,
                                         system_metadata=sysmeta)
        assert servers_extra.pinned_zone(instance) == pinned


def test_only_2_96_bodies_carry_the_pin():
    route = schemas.SCHEMAS[("GET", "/servers/{server_id}")]
    at = {first: schema for first, _, schema in route}
    assert route[-1][:2] == (96, schemas.LAST)
    server = at[96]["properties"]["server"]
    assert "pinned_availability_zone" in server["required"]
    check = jsonschema.Draft202012Validator(
        server["properties"]["pinned_availability_zone"])
    assert check.is_valid(None) and check.is_valid("zone-b")
    assert not check.is_valid(3)
    assert "pinned_availability_zone" not in \
        at[90]["properties"]["server"]["properties"]
