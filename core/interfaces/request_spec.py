"""The request spec: what the scheduler is asked to place.

:class:`RequestSpec` is a versioned object: the compute API builds it for
a boot request (:meth:`RequestSpec.for_boot`) and it crosses RPC as the
object, to conductor, the scheduler, the compute service and back to
conductor on a reschedule. Filters and weighers read it and never change
it. Its shape::

    RequestSpec
      project_id, user_id      str | None
      num_instances            int
      flavor                   RequestSpecFlavor: flavorid, name, vcpus,
                               memory_mb, root_gb, ephemeral_gb, swap (MB),
                               extra_specs {str: str}
      image                    RequestSpecImage: id, properties {str: any}
      availability_zone        str | None
      scheduler_hints          {str: any}: same_host, different_host,
                               query, group, ...
      group                    RequestSpecGroup | None (hint "group"):
                               uuid, policy, rules {str: any},
                               hosts [str] (filled in by the scheduler)
      tried_hosts              [str]: hosts where a build already failed
      requested_hosts          [str]: only these (a reschedule onto an
                               alternate); empty means any host
      attempts                 int

``group.hosts`` repeats a host once per member there, so anti-affinity's
``max_server_per_host`` can count.
"""

from oslo_versionedobjects import fields

from nimbus.core.objects import base


class JsonDict(fields.FieldType):
    """A ``dict`` with string keys and JSON values, stored as given."""

    def coerce(self, obj, attr, value):
        if not isinstance(value, dict):
            raise ValueError(f"A dict is required in field {attr}, not a "
                             f"{type(value).__name__}")
        if not all(isinstance(key, str) for key in value):
            raise ValueError(f"Field {attr} takes string keys only")
        return dict(value)


class JsonDictField(fields.AutoTypedField):
    AUTO_TYPE = JsonDict()


class _SpecObject(base.NimbusObject):
    """A part of the request spec: every field with a default is set on
    creation, so readers never meet an unset optional field."""

    def __init__(self, context=None, **kwargs):
        super().__init__(context, **kwargs)
        self.obj_set_defaults()

    def obj_load_attr(self, attrname):
        raise AttributeError(
            f"{type(self).__name__}.{attrname} is not set")

    def to_dict(self):
        """Return the set fields as a ``dict`` (nested parts as ``dict``
        too). Lists and dicts are the object's own: read, don't change.
        """
        out = {}
        for name in self.fields:
            try:
                value = getattr(self, name)
            except AttributeError:   # not set (see obj_load_attr)
                continue
            out[name] = value.to_dict() \
                if isinstance(value, _SpecObject) else value
        return out


@base.register
class RequestSpecFlavor(_SpecObject):
    """The flavor of a request: what one instance needs.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = {
        "flavorid": fields.StringField(default=""),
        "name": fields.StringField(default=""),
        "vcpus": fields.IntegerField(),
        "memory_mb": fields.IntegerField(),
        "root_gb": fields.IntegerField(default=0),
        "ephemeral_gb": fields.IntegerField(default=0),
        "swap": fields.IntegerField(default=0),
        "extra_specs": fields.DictOfStringsField(default={}),
    }

    @classmethod
    def from_flavor(cls, flavor):
        """Copy the sizes and extra specs of a ``Flavor`` object."""
        return cls(flavorid=flavor.flavorid, name=flavor.name,
                   vcpus=flavor.vcpus, memory_mb=flavor.memory_mb,
                   root_gb=flavor.root_gb, ephemeral_gb=flavor.ephemeral_gb,
                   swap=flavor.swap, extra_specs=dict(flavor.extra_specs))


@base.register
class RequestSpecImage(_SpecObject):
    """The image of a request: its id and properties (``hw_architecture``,
    ``img_hv_type``, ...).

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = {
        "id": fields.StringField(nullable=True, default=None),
        "properties": JsonDictField(default={}),
    }


@base.register
class RequestSpecGroup(_SpecObject):
    """The server group a request's instances join.

    ``policy`` is ``affinity``, ``anti-affinity``, ``soft-affinity`` or
    ``soft-anti-affinity``; ``rules`` may set ``max_server_per_host``
    (anti-affinity). ``hosts`` lists the host of every member already
    placed, once per member.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = {
        "uuid": fields.StringField(),
        "policy": fields.StringField(),
        "rules": JsonDictField(default={}),
        "hosts": fields.ListOfStringsField(default=[]),
    }

    @classmethod
    def from_dict(cls, group):
        """Build from a ``dict`` with the field names as keys."""
        return cls(**{name: group[name] for name in cls.fields
                      if name in group})


@base.register
class RequestSpec(_SpecObject):
    """What the scheduler is asked to place (see the module docstring).

    Version history:

    * 1.0: initial version (replaces the unversioned ``dict``)
    """

    VERSION = "1.0"

    fields = {
        "project_id": fields.StringField(nullable=True, default=None),
        "user_id": fields.StringField(nullable=True, default=None),
        "num_instances": fields.IntegerField(default=1),
        "flavor": fields.ObjectField("RequestSpecFlavor"),
        "image": fields.ObjectField("RequestSpecImage"),
        "availability_zone": fields.StringField(nullable=True,
                                                default=None),
        "scheduler_hints": JsonDictField(default={}),
        "group": fields.ObjectField("RequestSpecGroup", nullable=True,
                                    default=None),
        "tried_hosts": fields.ListOfStringsField(default=[]),
        "requested_hosts": fields.ListOfStringsField(default=[]),
        "attempts": fields.IntegerField(default=1),
    }

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
            flavor=RequestSpecFlavor.from_flavor(flavor),
            image=RequestSpecImage(
                id=image["id"],
                properties=dict(image.get("properties") or {})),
            availability_zone=availability_zone,
            scheduler_hints=dict(scheduler_hints or {}),
            group=RequestSpecGroup.from_dict(group) if group else None)

    def disk_gb(self):
        """Return the local disk one instance needs in GB (root +
        ephemeral + swap rounded up to whole GB)."""
        flavor = self.flavor
        swap_gb = ((flavor.swap or 0) + 1023) // 1024
        return flavor.root_gb + flavor.ephemeral_gb + swap_gb

    def hint_list(self, name):
        """Return scheduler hint ``name`` as a list of strings (a hint may
        be one string or a list); empty when the hint is absent."""
        value = self.scheduler_hints.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def group_policy(self):
        """Return the server group's policy, or None without a group."""
        return self.group.policy if self.group is not None else None

    def with_group_hosts(self, hosts):
        """Return a copy whose group lists ``hosts`` as its members'.

        :raises ValueError: the spec has no group.
        """
        if self.group is None:
            raise ValueError("the request spec has no server group")
        spec = self.obj_clone()
        spec.group.hosts = list(hosts)
        return spec
