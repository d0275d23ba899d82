"""The request spec: what the scheduler is asked to place.

:class:`RequestSpec` is a versioned object: the compute API builds it for
a boot request (:meth:`RequestSpec.for_boot`) and it crosses RPC as the
object, to conductor, the scheduler, the compute service and back to
conductor on a reschedule. Filters and weighers read it and never change
it. Its fields::

    project_id, user_id   str | None
    num_instances         int
    flavor                {"flavorid": str, "name": str, "vcpus": int,
                           "memory_mb": int, "root_gb": int,
                           "ephemeral_gb": int, "swap": int (MB),
                           "extra_specs": {str: str}}
    image                 {"id": str | None, "properties": {str: any}}
    availability_zone     str | None
    scheduler_hints       {str: any}: same_host, different_host, query,
                          group, ...
    group                 None | {"uuid": str, "policy": str,
                                  "rules": {str: any},
                                  "hosts": [str]}   (hint "group")
    tried_hosts           [str]: hosts where a build already failed
    requested_hosts       [str]: only these (a reschedule onto an
                          alternate); empty means any host
    attempts              int

``flavor``, ``image`` and ``group`` are ``dict`` fields with exactly those
keys, checked and completed with defaults on assignment (and so on
receipt over RPC): filters read them at dictionary speed, on every host.
``group["hosts"]`` lists the host of every member already placed, once
per member (so anti-affinity's ``max_server_per_host`` can count); the
scheduler fills it in.
"""

import copy

from oslo_versionedobjects import fields

from nimbus.core.objects import base

_REQUIRED = object()


def _str_dict(value):
    return {str(k): str(v) for k, v in _dict(value).items()}


def _dict(value):
    if not isinstance(value, dict):
        raise ValueError(f"a dict is required, not a {type(value).__name__}")
    if not all(isinstance(key, str) for key in value):
        raise ValueError("only string keys are allowed")
    return dict(value)


def _str_list(value):
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"a list is required, not a {type(value).__name__}")
    return [str(v) for v in value]


def _optional_str(value):
    return None if value is None else str(value)


class JsonDict(fields.FieldType):
    """A ``dict`` with string keys and JSON values, stored as given."""

    def coerce(self, obj, attr, value):
        try:
            return _dict(value)
        except ValueError as err:
            raise ValueError(f"field {attr}: {err}") from None


class DictShape(fields.FieldType):
    """A ``dict`` with a fixed set of keys, each converted on assignment;
    a missing key takes its default (or is an error when required).

    :param keys: ``{key: (convert, default)}``.
    """

    def __init__(self, keys):
        super().__init__()
        self._keys = keys

    @property
    def names(self):
        """The keys of the ``dict``, in order."""
        return tuple(self._keys)

    def coerce(self, obj, attr, value):
        if not isinstance(value, dict):
            raise ValueError(f"field {attr}: a dict is required, not a "
                             f"{type(value).__name__}")
        unknown = sorted(set(value) - set(self._keys))
        if unknown:
            raise ValueError(f"field {attr}: unknown keys {unknown}")
        out = {}
        for key, (convert, default) in self._keys.items():
            if key in value:
                try:
                    out[key] = convert(value[key])
                except (TypeError, ValueError) as err:
                    raise ValueError(f"field {attr}[{key!r}]: {err}") \
                        from None
            elif default is _REQUIRED:
                raise ValueError(f"field {attr}: {key!r} is required")
            else:
                out[key] = copy.deepcopy(default)
        return out


FLAVOR = DictShape({
    "flavorid": (str, ""), "name": (str, ""),
    "vcpus": (int, _REQUIRED), "memory_mb": (int, _REQUIRED),
    "root_gb": (int, 0), "ephemeral_gb": (int, 0), "swap": (int, 0),
    "extra_specs": (_str_dict, {}),
})
IMAGE = DictShape({"id": (_optional_str, None), "properties": (_dict, {})})
GROUP = DictShape({
    "uuid": (str, _REQUIRED), "policy": (str, _REQUIRED),
    "rules": (_dict, {}), "hosts": (_str_list, []),
})


@base.register
class RequestSpec(base.NimbusObject):
    """What the scheduler is asked to place (see the module docstring).

    Every field but ``flavor`` and ``image`` has a default and is set on
    creation; reading an unset field raises ``AttributeError``.

    Version history:

    * 1.0: initial version (replaces the unversioned ``dict``)
    """

    VERSION = "1.0"

    fields = {
        "project_id": fields.StringField(nullable=True, default=None),
        "user_id": fields.StringField(nullable=True, default=None),
        "num_instances": fields.IntegerField(default=1),
        "flavor": fields.Field(FLAVOR),
        "image": fields.Field(IMAGE),
        "availability_zone": fields.StringField(nullable=True,
                                                default=None),
        "scheduler_hints": fields.Field(JsonDict(), default={}),
        "group": fields.Field(GROUP, nullable=True, default=None),
        "tried_hosts": fields.ListOfStringsField(default=[]),
        "requested_hosts": fields.ListOfStringsField(default=[]),
        "attempts": fields.IntegerField(default=1),
    }

    def __init__(self, context=None, **kwargs):
        super().__init__(context, **kwargs)
        self.obj_set_defaults()

    def obj_load_attr(self, attrname):
        raise AttributeError(f"RequestSpec.{attrname} is not set")

    @classmethod
    def for_boot(cls, context, flavor, image, num_instances,
                 availability_zone=None, scheduler_hints=None, group=None):
        """Return the spec of a boot request.

        :param context: the request context (its project and user).
        :param flavor: a ``Flavor`` object.
        :param image: the image ``dict`` (``id``, ``properties``).
        :param num_instances: how many instances the request creates.
        :param group: the server group ``dict`` (``uuid``, ``policy``,
            ``rules``, ``hosts``), or None.
        :returns: a :class:`RequestSpec` on its first attempt.
        """
        return cls(
            project_id=context.project_id, user_id=context.user_id,
            num_instances=num_instances,
            flavor={name: getattr(flavor, name) for name in FLAVOR.names},
            image={"id": image["id"],
                   "properties": dict(image.get("properties") or {})},
            availability_zone=availability_zone,
            scheduler_hints=dict(scheduler_hints or {}), group=group)

    def to_dict(self):
        """Return the set fields as a ``dict``. Values are the object's
        own: read them, don't change them."""
        out = {}
        for name in self.fields:
            try:
                out[name] = getattr(self, name)
            except AttributeError:   # not set (see obj_load_attr)
                continue
        return out

    def disk_gb(self):
        """Return the local disk one instance needs in GB (root +
        ephemeral + swap rounded up to whole GB)."""
        flavor = self.flavor
        swap_gb = (flavor["swap"] + 1023) // 1024
        return flavor["root_gb"] + flavor["ephemeral_gb"] + swap_gb

    def hint_list(self, name):
        """Return scheduler hint ``name`` as a list of strings (a hint may
        be one string or a list); empty when the hint is absent."""
        value = self.scheduler_hints.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def group_policy(self):
        """Return the server group's policy, or None without a group."""
        group = self.group
        return group["policy"] if group is not None else None

    def with_group_hosts(self, hosts):
        """Return a copy whose group lists ``hosts`` as its members'.

        :raises ValueError: the spec has no group.
        """
        if self.group is None:
            raise ValueError("the request spec has no server group")
        spec = self.obj_clone()
        spec.group = dict(spec.group, hosts=list(hosts))
        return spec
