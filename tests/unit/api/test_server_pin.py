"""2.96: the pinned zone of a server body, and the schemas that hold it."""

import types

import jsonschema
import pytest

from nimbus.api.openstack.responses import servers as schemas
from nimbus.api.openstack.views import servers_extra


@pytest.mark.parametrize("zone, pinned", [
    (None, None), ("", None), ("zone-b", "zone-b"),
    # a create forcing a host pinned the zone part only, if any
    ("zone-b:fake-2", "zone-b"), (":fake-2", None),
    ("zone-b:fake-2:node", "zone-b"),
])
def test_the_pin_is_the_zone_part(zone, pinned):
    instance = types.SimpleNamespace(availability_zone=zone)
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
