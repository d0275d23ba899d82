"""What conductor sends back for a compute's object call: the fields the
method changed (in place too), and which of them the object counts as
changed; and that this counting, and telling whether a field is set,
agree with oslo.versionedobjects'."""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

from nimbus.core import context as nimbus_context
from nimbus.core.conductor import manager as conductor_manager
from nimbus.core.objects import base as objects_base


# properties made, not registered (no other test sees these classes)
@ovo_base.VersionedObjectRegistry.register_if(False)
class _Part(objects_base.NimbusObject):
    VERSION = "1.0"
    fields = {"size": fields.IntegerField()}


@ovo_base.VersionedObjectRegistry.register_if(False)
class _Thing(objects_base.NimbusObject):
    VERSION = "1.0"
    fields = {"name": fields.StringField(),
              "meta": fields.DictOfStringsField(),
              "count": fields.IntegerField(nullable=True),
              "part": fields.ObjectField("_Part", nullable=True)}

    def rename(self, name):
        self.name = name
        return "renamed"

    def tag_in_place(self, key):
        self.meta[key] = "yes"

    def grow_part(self):
        self.part.size += 1

    def nothing(self):
        pass


def _thing():
    ctx = nimbus_context.get_admin_context()
    thing = _Thing(ctx, name="a", meta={"k": "v"}, count=None,
                   part=_Part(ctx, size=1))
    thing.obj_reset_changes(recursive=True)
    return thing


def _object_action(thing, method, *args):
    return conductor_manager.ConductorManager.object_action(
        None, nimbus_context.get_admin_context(), thing, method, args, {})


def test_a_changed_field_comes_back_with_the_result():
    updates, result = _object_action(_thing(), "rename", "b")
    assert result == "renamed"
    assert updates["name"] == "b"
    assert updates["obj_what_changed"] == ["name"]
    assert "meta" not in updates and "count" not in updates


def test_a_field_changed_in_place_comes_back():
    updates, _ = _object_action(_thing(), "tag_in_place", "new")
    assert updates["meta"] == {"k": "v", "new": "yes"}


def test_a_child_changed_in_place_comes_back_and_counts_as_changed():
    updates, _ = _object_action(_thing(), "grow_part")
    assert updates["part"]["nimbus_object.data"]["size"] == 2
    assert updates["obj_what_changed"] == ["part"]


def test_a_method_that_changes_nothing_sends_nothing_but_the_count():
    thing = _thing()
    updates, _ = _object_action(thing, "nothing")
    # a child object is always sent (it cannot be compared), as before
    assert set(updates) <= {"part", "obj_what_changed"}
    assert updates["obj_what_changed"] == []


def test_what_changed_agrees_with_oslo_versionedobjects():
    thing = _thing()
    cases = [lambda t: None, lambda t: setattr(t, "name", "z"),
             lambda t: setattr(t, "count", 3),
             lambda t: setattr(t.part, "size", 9),
             lambda t: setattr(t, "part", _Part(t._context, size=4))]
    for change in cases:
        thing = _thing()
        change(thing)
        assert thing.obj_what_changed() == \
            ovo_base.VersionedObject.obj_what_changed(thing)


def test_attr_is_set_agrees_with_oslo_versionedobjects():
    thing = _Thing(nimbus_context.get_admin_context(), name="a")
    for name in ("name", "meta", "count", "part"):
        assert thing.obj_attr_is_set(name) == \
            ovo_base.VersionedObject.obj_attr_is_set(thing, name)
    assert thing.obj_attr_is_set("name") and \
        not thing.obj_attr_is_set("meta")
    for check in (thing.obj_attr_is_set,
                  lambda n: ovo_base.VersionedObject.obj_attr_is_set(
                      thing, n)):
        try:
            check("nonsense")
        except AttributeError as err:
            assert "nonsense" in str(err)
        else:
            raise AssertionError("no AttributeError")


def test_a_field_is_copied_without_the_object_that_holds_it(monkeypatch):
    """ovo's coerced dicts refer to their object: deep-copying one
    copied the whole object, on every object call."""
    def refuse(self, memo):
        raise AssertionError("the whole object was deep-copied")
    monkeypatch.setattr(_Thing, "__deepcopy__", refuse)
    updates, _ = _object_action(_thing(), "tag_in_place", "new")
    assert updates["meta"] == {"k": "v", "new": "yes"}
