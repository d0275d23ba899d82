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
    requested_networks    [{"network_id", "fixed_ip", "port_id"}]: the
                          server's NICs as the network service normalized
                          them (``network_id`` None: the project's own
                          network, made on its first boot); empty: none
    security_groups       [str]: names or ids of the server's groups
                          (empty: the project's ``default``)
    tried_hosts           [str]: hosts where a build already failed
    requested_hosts       [str]: only these (a reschedule onto an
                          alternate); empty means any host
    requested_destination None | {"host": str | None, "node": str | None}:
                          only that host and/or node (a create that asked
                          for it, 2.74); kept through reschedules, and
                          the filters still apply
    attempts              int
    has_volumes           bool | None: the boot maps volumes (block
                          device mappings of the create); None: not
                          known (a sender before 1.3), read them

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
DESTINATION = DictShape({"host": (_optional_str, None),
                         "node": (_optional_str, None)})
GROUP = DictShape({
    "uuid": (str, _REQUIRED), "policy": (str, _REQUIRED),
    "rules": (_dict, {}), "hosts": (_str_list, []),
})


def _fold_destination(spec):
    """For a receiver that predates ``requested_destination`` (the legacy
    ``dict``, or a primitive's fields): drop it, its host becoming the
    only requested host, which every release honours."""
    wanted = spec.pop("requested_destination", None)
    if wanted and wanted.get("host") and not spec.get("requested_hosts"):
        spec["requested_hosts"] = [wanted["host"]]


@base.register
class RequestSpec(base.NimbusObject):
    """What the scheduler is asked to place (see the module docstring).

    Every field but ``flavor`` and ``image`` has a default and is set on
    creation; reading an unset field raises ``AttributeError``.

    Version history:

    * 1.0: initial version (replaces the unversioned ``dict``)
    * 1.1: ``requested_networks`` and ``security_groups`` (dropped for a
      1.0 receiver, which predates networks: its guests get no NICs)
    * 1.2: ``requested_destination`` (for a receiver before 1.2 its host
      becomes ``requested_hosts``, which that release honours; a node
      alone it cannot be told)
    * 1.3: ``has_volumes`` (dropped for an older receiver, whose compute
      reads every build's block device mappings)
    """

    VERSION = "1.3"

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
        "requested_networks": fields.ListOfDictOfNullableStringsField(
            default=[]),
        "security_groups": fields.ListOfStringsField(default=[]),
        "tried_hosts": fields.ListOfStringsField(default=[]),
        "requested_hosts": fields.ListOfStringsField(default=[]),
        "requested_destination": fields.Field(DESTINATION, nullable=True,
                                              default=None),
        "attempts": fields.IntegerField(default=1),
        "has_volumes": fields.BooleanField(nullable=True, default=None),
    }

    #: fields a receiver of the previous release does not know.
    NEW_IN_1_1 = ("requested_networks", "security_groups")
    NEW_IN_1_2 = ("requested_destination",)
    NEW_IN_1_3 = ("has_volumes",)

    def __init__(self, context=None, **kwargs):
        super().__init__(context, **kwargs)
        self.obj_set_defaults()

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        target = tuple(int(p) for p in target_version.split("."))
        if target < (1, 3):
            for name in self.NEW_IN_1_3:
                primitive.pop(name, None)
        if target < (1, 2):
            _fold_destination(primitive)
        if target < (1, 1):
            for name in self.NEW_IN_1_1:
                primitive.pop(name, None)

    def obj_load_attr(self, attrname):
        raise AttributeError(f"RequestSpec.{attrname} is not set")

    @classmethod
    def for_boot(cls, context, flavor, image, num_instances,
                 availability_zone=None, scheduler_hints=None, group=None,
                 requested_networks=None, security_groups=None,
                 requested_destination=None, has_volumes=None):
        """Return the spec of a boot request.

        :param context: the request context (its project and user).
        :param flavor: a ``Flavor`` object.
        :param image: the image ``dict`` (``id``, ``properties``).
        :param num_instances: how many instances the request creates.
        :param group: the server group ``dict`` (``uuid``, ``policy``,
            ``rules``, ``hosts``), or None.
        :param requested_networks: the normalized NIC requests
            (:meth:`~nimbus.core.network.api.NetworkAPI.
            validate_requested_networks`).
        :param security_groups: the server's group names.
        :param requested_destination: ``{"host", "node"}`` the create
            asked for (2.74), or None.
        :param has_volumes: whether the create maps volumes (None: not
            known; the compute then reads the mappings).
        :returns: a :class:`RequestSpec` on its first attempt.
        """
        return cls(
            project_id=context.project_id, user_id=context.user_id,
            num_instances=num_instances,
            flavor={name: getattr(flavor, name) for name in FLAVOR.names},
            image={"id": image["id"],
                   "properties": dict(image.get("properties") or {})},
            availability_zone=availability_zone,
            scheduler_hints=dict(scheduler_hints or {}), group=group,
            requested_networks=[dict(r) for r in requested_networks or []],
            security_groups=list(security_groups or []),
            requested_destination=requested_destination,
            has_volumes=has_volumes)

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

    def to_legacy_dict(self):
        """Return the spec as the ``dict`` it was before it became an
        object, for services of the previous release (compute RPC API
        1.0, conductor and scheduler 1.0).

        :returns: a new ``dict`` of every field; ``requested_hosts`` only
            when not empty (the old conductor removed it before a build);
            never the fields of 1.1 (that release had no networks) or
            of 1.3.
        """
        spec = copy.deepcopy(self.to_dict())
        _fold_destination(spec)
        for name in self.NEW_IN_1_1 + self.NEW_IN_1_3:
            spec.pop(name, None)
        if not spec.get("requested_hosts"):
            spec.pop("requested_hosts", None)
        return spec

    @classmethod
    def from_legacy_dict(cls, spec):
        """Return the object of a legacy spec ``dict`` (see
        :meth:`to_legacy_dict`); a missing key takes its default.

        :raises ValueError: an unknown key, or a value of the wrong shape.
        """
        unknown = sorted(set(spec) - set(cls.fields))
        if unknown:
            raise ValueError(f"request spec: unknown keys {unknown}")
        return cls(**spec)

    @classmethod
    def from_rpc(cls, spec):
        """Return a spec received over RPC as the object: servers take the
        object, or the legacy ``dict`` from a client pinned below the
        version that introduced it (or of the previous release).

        :raises ValueError: see :meth:`from_legacy_dict`.
        """
        return spec if isinstance(spec, cls) else cls.from_legacy_dict(spec)

    def destination_allows(self, host, nodename):
        """Whether the requested destination (if any) is this host and
        node."""
        wanted = self.requested_destination
        if wanted is None:
            return True
        return (wanted["host"] in (None, host)
                and wanted["node"] in (None, nodename))

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
