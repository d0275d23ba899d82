"""ComputeNode objects: a hypervisor's inventory and claimed usage."""

import json

from oslo_utils import versionutils
from oslo_versionedobjects import fields

from nimbus.core.objects import base


class DictOfBooleansField(fields.AutoTypedField):
    AUTO_TYPE = fields.Dict(fields.Boolean())


@base.register
class ComputeNode(base.NimbusTimestampObject, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    * 1.1: record_build_result
    * 1.2: capabilities (the hypervisor plugin's, name -> bool; None
      until the compute reports them)
    * 1.3: release_allocations
    """

    VERSION = "1.3"

    fields = dict(base.NimbusTimestampObject.fields, **{
        "id": fields.IntegerField(),
        "uuid": fields.UUIDField(),
        "service_id": fields.IntegerField(nullable=True),
        "host": fields.StringField(),
        "hypervisor_hostname": fields.StringField(),
        "hypervisor_type": fields.StringField(),
        "hypervisor_version": fields.IntegerField(),
        "cpu_info": fields.DictOfNullableStringsField(default={}),
        "host_ip": fields.StringField(nullable=True),
        "vcpus": fields.IntegerField(),
        "memory_mb": fields.IntegerField(),
        "local_gb": fields.IntegerField(),
        "vcpus_used": fields.IntegerField(default=0),
        "memory_mb_used": fields.IntegerField(default=0),
        "local_gb_used": fields.IntegerField(default=0),
        "running_vms": fields.IntegerField(default=0),
        "cpu_allocation_ratio": fields.FloatField(),
        "ram_allocation_ratio": fields.FloatField(),
        "disk_allocation_ratio": fields.FloatField(),
        "reserved_host_memory_mb": fields.IntegerField(default=0),
        "reserved_host_disk_mb": fields.IntegerField(default=0),
        "reserved_host_cpus": fields.IntegerField(default=0),
        "generation": fields.IntegerField(default=0),
        "capabilities": DictOfBooleansField(nullable=True, default=None),
    })

    def obj_make_compatible(self, primitive, target_version):
        """Drop what receivers older than ``target_version`` cannot read
        (the rolling-upgrade hook)."""
        super().obj_make_compatible(primitive, target_version)
        target = versionutils.convert_version_to_tuple(target_version)
        if target < (1, 2):
            primitive.pop("capabilities", None)

    @classmethod
    def from_row(cls, context, row):
        row = dict(row)
        info = row.get("cpu_info")
        info = json.loads(info) if isinstance(info, str) else (info or {})
        row["cpu_info"] = {k: v if isinstance(v, str) or v is None
                           else json.dumps(v) for k, v in info.items()}
        caps = row.get("capabilities")
        if isinstance(caps, str):
            row["capabilities"] = json.loads(caps)
        return super().from_row(context, row)

    @base.remotable_classmethod
    def report_inventory(cls, context, host, hypervisor_hostname, values):
        """Create or update the node's inventory (called by computes).

        :param values: inventory columns; ``capabilities`` (name -> bool,
            from ``dataclasses.asdict(driver.capabilities)``) is recorded
            too, and left alone by computes that do not send it.
        :returns: the node (:class:`ComputeNode`).
        """
        row = cls._db().compute_nodes.report_inventory(
            context, host, hypervisor_hostname, values)
        return cls.from_row(context, row)

    @base.remotable_classmethod
    def record_build_result(cls, context, host, nodename, failed):
        """Count a failed build on the node (or reset the count after a
        success); the build-failure weigher reads the count."""
        cls._db().compute_nodes.record_build_result(
            context, host, nodename, failed)

    @base.remotable_classmethod
    def release_allocations(cls, context, consumer_uuid):
        """Give back every resource claim of ``consumer_uuid`` (an
        instance whose build ended in ERROR); idempotent.

        :returns: the number of allocations removed.
        """
        return cls._db().compute_nodes.release(context, consumer_uuid)


@base.register
class ComputeNodeList(base.ObjectListBase, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {"objects": fields.ListOfObjectsField("ComputeNode")}

    @classmethod
    def get_all(cls, context, host=None):
        rows = cls._db().compute_nodes.get_all(context, host=host)
        return cls.from_rows(context, ComputeNode, rows)
