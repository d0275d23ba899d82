"""A flavor is read with its extra specs, as it was written."""

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api


def _flavor(flavorid):
    return {"flavorid": flavorid, "name": f"f-{flavorid}", "vcpus": 2,
            "memory_mb": 256, "root_gb": 1, "description": "d"}


@pytest.mark.parametrize("specs", [{}, {"hw:cpu_policy": "dedicated",
                                        "quota:disk_read_iops_sec": "500"}])
def test_a_flavor_reads_back_with_its_extra_specs(db, specs):
    ctx = nimbus_context.get_admin_context()
    created = db_api.flavors.create(ctx, _flavor("x1"), specs)
    db_api.flavors.create(ctx, _flavor("x2"), {"other": "spec"})

    read = db_api.flavors.get_by_flavorid(ctx, "x1")

    assert read == created
    assert read["extra_specs"] == specs


def test_an_unknown_flavor_is_not_found(db):
    ctx = nimbus_context.get_admin_context()
    with pytest.raises(exception.FlavorNotFound):
        db_api.flavors.get_by_flavorid(ctx, "nope")
