"""Flavor extra specs as plugins declare them (scheduler contract 2.1),
and the check the Compute API runs from 2.86."""

import pytest

from nimbus.core import admin_api
from nimbus.core.interfaces import extra_specs as es

SPECS = (
    es.ExtraSpec("ns:size", "an int", value_type=int, minimum=1,
                 maximum=8),
    es.ExtraSpec("ns:on", "a boolean", value_type=bool),
    es.ExtraSpec("ns:mode", "one of", enum=("fast", "slow")),
    es.ExtraSpec("ns:ver", "a pattern", pattern=r"\d+\.\d+"),
    es.ExtraSpec("ns:path{p}", "nested", parameters={"p": "(:[^:]+)+"}),
)


@pytest.mark.parametrize("name,value", [
    ("ns:size", "4"), ("ns:on", "yes"), ("ns:on", "False"),
    ("ns:mode", "fast"), ("ns:ver", "2.1"), ("ns:path:a:b", "x"),
    # nobody declares these namespaces (or there is none): not checked
    ("hw:cpu_policy", "anything"), ("plain", "x"),
])
def test_valid(name, value):
    assert es.problem(SPECS, name, value) is None


@pytest.mark.parametrize("name,value,message", [
    ("ns:size", "x", "'x' is not a valid integer value."),
    ("ns:size", "9", "'9' is greater than the max value of '8'."),
    ("ns:size", "0", "'0' is less than the min value of '1'."),
    ("ns:on", "maybe", "'maybe' is not a valid boolean-like value."),
    ("ns:mode", "medium", "'medium' is not one of: fast, slow."),
    ("ns:ver", "two", "'two' is not of the format '\\d+\\.\\d+'."),
    ("ns:path", "x", "extra spec 'ns:path' does not appear to be a "
                     "valid extra spec."),
    ("ns:other", "x", "extra spec 'ns:other' does not appear to be a "
                      "valid extra spec."),
])
def test_invalid(name, value, message):
    assert es.problem(SPECS, name, value) == f"Validation failed; {message}"


def test_installed_filters_declare_their_namespaces():
    declared = admin_api.declared_extra_specs()
    namespaces = {spec.namespace for spec in declared}
    assert {"capabilities", "aggregate_instance_extra_specs"} <= namespaces
    assert es.problem(declared, "capabilities:cpu_info:arch", "x86_64") \
        is None
    assert es.problem(declared, "capabilities:hypervisor_type",
                      "s== QEMU") is None
    assert "does not appear" in es.problem(declared, "capabilities:nope",
                                           "1")
    assert es.problem(declared, "aggregate_instance_extra_specs:ssd",
                      "true") is None
