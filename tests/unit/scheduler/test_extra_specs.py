import pytest

from nimbus.core.interfaces.extra_specs import match


@pytest.mark.parametrize("value,requirement,expected", [
    ("8", "= 4", True), ("2", "= 4", False), ("4", "== 4", True),
    ("4", "!= 4", False), ("5", ">= 4", True), ("3", "<= 2", False),
    ("abc", "s== abc", True), ("abd", "s> abc", True),
    ("avx avx2", "<in> avx2", True), ("sse", "<in> avx", False),
    (["a", "b"], "<all-in> a b", True), ("a", "<all-in> a b", False),
    ("gold", "<or> silver <or> gold", True), ("x", "x", True),
    ("x", "y", False), ("nan?", ">= 1", False),
])
def test_match(value, requirement, expected):
    assert match(value, requirement) is expected
