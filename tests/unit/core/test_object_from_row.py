"""``NimbusObject.from_row``: values that already have a plain field's
type are stored as they are; everything else is still coerced."""

import datetime

from nimbus.core.objects import instance as instance_obj


def test_from_row_keeps_plain_values_and_coerces_the_rest():
    naive = datetime.datetime(2026, 12, 2, 11, 0, 0)
    obj = instance_obj.Instance.from_row(None, {
        "id": 7, "uuid": "8a4c2d26-6b3b-4a0e-9f43-3d1a2e2a0001",
        "display_name": 42, "project_id": "p", "user_id": "u",
        "host": None, "vm_state": "active", "locked": 1,
        "launched_at": naive, "metadata_json": '{"a": "b"}',
        "extra_specs": '{"hw:x": "1"}'})
    assert obj.id == 7 and obj.vm_state == "active" and obj.host is None
    # not of the field's type: coerced as before
    assert obj.display_name == "42" and obj.locked is True
    assert obj.launched_at.utcoffset() == datetime.timedelta(0)
    assert obj.metadata == {"a": "b"} and obj.extra_specs == {"hw:x": "1"}
    assert not obj.obj_what_changed()
    assert not obj.obj_attr_is_set("node")
