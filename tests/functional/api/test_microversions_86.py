"""Compute API 2.86 through the in-process stack and the stock client:
flavor extra specs of the namespaces nimbus's scheduler filters declare
(``capabilities`` of ComputeCapabilitiesFilter,
``aggregate_instance_extra_specs`` of AggregateInstanceExtraSpecsFilter)
are validated by ``POST /flavors/{id}/os-extra_specs`` and ``PUT
/flavors/{id}/os-extra_specs/{key}``: an undeclared key of such a
namespace is Nova's 400 and nothing is written. Other namespaces (no
nimbus plugin reads ``hw:*``) and unnamespaced keys are taken as
before; below 2.86 nothing is validated."""

import pytest

_BAD = "capabilities:no_such_thing"
_MESSAGE = (f"Validation failed; extra spec '{_BAD}' does not appear to "
            f"be a valid extra spec.")


@pytest.fixture
def cloud(cloud, advertise):
    advertise(86)
    return cloud


def _specs(admin):
    return admin.compute.get("/flavors/1/os-extra_specs").json()[
        "extra_specs"]


def test_declared_namespaces_are_validated_from_2_86(cloud):
    admin = cloud.sdk("admin")
    good = {"capabilities:hypervisor_type": "s== fake",
            "capabilities:cpu_info:arch": "x86_64",
            "aggregate_instance_extra_specs:ssd": "true",
            "hw:cpu_policy": "dedicated", "plain": "x"}
    resp = admin.compute.post("/flavors/1/os-extra_specs",
                              json={"extra_specs": good},
                              microversion="2.86")
    assert resp.status_code == 200, resp.text
    before = _specs(admin)
    resp = admin.compute.post("/flavors/1/os-extra_specs", json={
        "extra_specs": {"k86": "v", _BAD: "1"}}, microversion="2.86")
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == _MESSAGE
    assert _specs(admin) == before                  # nothing written
    resp = admin.compute.put(f"/flavors/1/os-extra_specs/{_BAD}",
                             json={_BAD: "1"}, microversion="2.86")
    assert resp.status_code == 400, resp.text
    # Below 2.86 the same key is taken.
    resp = admin.compute.put(f"/flavors/1/os-extra_specs/{_BAD}",
                             json={_BAD: "1"}, microversion="2.85")
    assert resp.status_code == 200, resp.text
    assert _specs(admin)[_BAD] == "1"


def test_stock_client_gets_the_validation_error(cloud):
    failed = cloud.openstack("admin", "--os-compute-api-version", "2.86",
                             "flavor", "set", "--property", f"{_BAD}=1",
                             "1", check=False)
    assert failed.returncode != 0
    assert "does not appear to be a valid extra spec" in failed.stderr
    cloud.openstack("admin", "--os-compute-api-version", "2.86", "flavor",
                    "set", "--property", "capabilities:vcpus=>= 1", "1")
    assert _specs(cloud.sdk("admin"))["capabilities:vcpus"] == ">= 1"
