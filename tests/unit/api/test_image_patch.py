"""Glance JSON patch to image-plugin changes (nimbus.api.image.patch)."""

import pytest

from nimbus.api.image import patch
from nimbus.core import exception
from nimbus.core.interfaces import images


def _record(**kwargs):
    record = images.new_record({"name": "n", "kernel_id": "k"})
    record.update(kwargs)
    return record


def test_only_what_differs_is_changed():
    record = _record()
    assert patch.changes(record, [
        {"op": "replace", "path": "/name", "value": "n"},
        {"op": "replace", "path": "/min_disk", "value": 2},
        {"op": "add", "path": "/os~1distro", "value": "debian"},
        {"op": "remove", "path": "/kernel_id"},
    ]) == {"min_disk": 2, "properties": {"os/distro": "debian"}}
    assert patch.changes(record, []) == {}


def test_add_of_an_existing_property_replaces_it():
    assert patch.changes(_record(), [
        {"op": "add", "path": "/kernel_id", "value": "k2"}]) == {
            "properties": {"kernel_id": "k2"}}


@pytest.mark.parametrize("ops, error", [
    ({}, exception.Invalid),
    (["add"], exception.Invalid),
    ([{"op": "test", "path": "/name", "value": "n"}], exception.Invalid),
    ([{"op": "add", "path": "name", "value": "n"}], exception.Invalid),
    ([{"op": "add", "path": "/name"}], exception.Invalid),
    ([{"op": "add", "path": "/tags", "value": "a"}], exception.Invalid),
    ([{"op": "add", "path": "/visibility", "value": "all"}],
     exception.Invalid),
    ([{"op": "add", "path": "/custom", "value": 5}], exception.Invalid),
    ([{"op": "replace", "path": "/size", "value": 1}],
     exception.ImageForbidden),
    ([{"op": "add", "path": "/location", "value": "x"}],
     exception.ImageForbidden),
    ([{"op": "add", "path": "/os_glance_x", "value": "x"}],
     exception.ImageForbidden),
    ([{"op": "remove", "path": "/min_ram"}], exception.ImageForbidden),
    ([{"op": "replace", "path": "/custom", "value": "x"}],
     exception.Conflict),
    ([{"op": "remove", "path": "/custom"}], exception.Conflict),
], ids=["object", "string-op", "test-op", "relative-path", "no-value",
        "tags-not-list", "bad-visibility", "non-string-property",
        "read-only", "reserved", "os-glance", "remove-base",
        "replace-missing", "remove-missing"])
def test_glance_refusals(ops, error):
    with pytest.raises(error):
        patch.changes(_record(), ops)


def test_formats_change_only_before_data():
    ops = [{"op": "replace", "path": "/disk_format", "value": "qcow2"}]
    assert patch.changes(_record(), ops) == {"disk_format": "qcow2"}
    with pytest.raises(exception.ImageForbidden):
        patch.changes(_record(status="active"), ops)
