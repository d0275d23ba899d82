"""What a compute asks of the volume service, run on conductor.

nimbus-compute has no database, so the volume bookkeeping of an attach
or detach (connection info from the volume's host, the status changes,
the attachment records) goes through these remotable class methods:
in compute they run on conductor (object indirection), which calls the
volume service API (:class:`nimbus.core.volume.api.VolumeAPI`), which in
turn asks the volume's host over the volume RPC API where it must.
"""

import threading

from nimbus.core.objects import base

_API = {}
_LOCK = threading.Lock()


def _volume_api(db):
    from nimbus.core import conf as nimbus_conf
    from nimbus.core.volume import api as volume_api
    with _LOCK:
        if _API.get("db") is not db:
            _API["db"] = db
            _API["api"] = volume_api.VolumeAPI(nimbus_conf.CONF, db)
        return _API["api"]


@base.register
class VolumeConnection(base.NimbusObject):
    """The volume service as a compute reaches it (class methods only).

    Version history:

    * 1.0: initial version
    * 1.1: forget_block_device (a detached volume's mapping goes)
    * 1.2: reimage (a volume-backed server's rebuild, Compute API 2.93)
    * 1.3: volumes_of (attachments and mappings in one call: a delete
      asked twice)
    """

    VERSION = "1.3"
    fields = {}

    @classmethod
    def _api(cls):
        return _volume_api(cls._db())

    @base.remotable_classmethod
    def initialize(cls, context, volume_id, connector):
        """Export the volume to ``connector``; return its connection
        info (the keys of ``DiskSpec``)."""
        return cls._api().initialize_connection(context, volume_id,
                                                connector)

    @base.remotable_classmethod
    def terminate(cls, context, volume_id, connector):
        """Withdraw the export :meth:`initialize` made."""
        cls._api().terminate_connection(context, volume_id, connector)

    @base.remotable_classmethod
    def reimage(cls, context, volume_id, image_id):
        """Have the volume's host write ``image_id`` onto it (status
        ``downloading`` until done, then back to what it was)."""
        cls._api().reimage(context, volume_id, image_id)

    @base.remotable_classmethod
    def attach(cls, context, volume_id, instance_uuid, mountpoint, host):
        """Record the attachment: attaching -> in-use."""
        return cls._api().attach(context, volume_id, instance_uuid,
                                 mountpoint, host)

    @base.remotable_classmethod
    def detach(cls, context, volume_id, attachment_id):
        """End the attachment: detaching -> available."""
        cls._api().detach(context, volume_id, attachment_id)

    @base.remotable_classmethod
    def unreserve(cls, context, volume_id):
        """Give up a reservation: attaching -> available."""
        cls._api().unreserve(context, volume_id)

    @base.remotable_classmethod
    def begin_detaching(cls, context, volume_id):
        """in-use -> detaching (guarded)."""
        cls._api().begin_detaching(context, volume_id)

    @base.remotable_classmethod
    def roll_detaching(cls, context, volume_id):
        """Undo :meth:`begin_detaching`: detaching -> in-use."""
        cls._api().roll_detaching(context, volume_id)

    @base.remotable_classmethod
    def attachments(cls, context, instance_uuid):
        """The attachment dicts of an instance."""
        return cls._api().list_attachments(context, instance_uuid)

    @base.remotable_classmethod
    def delete_volume(cls, context, volume_id):
        """Delete a volume (``delete_on_termination``)."""
        cls._api().delete_volume(context, volume_id)

    @base.remotable_classmethod
    def get(cls, context, volume_id):
        """The volume dict (its ``status``)."""
        return cls._api().get_volume(context, volume_id)

    @base.remotable_classmethod
    def reserve(cls, context, volume_id, instance_uuid):
        """available -> attaching for ``instance_uuid``."""
        return cls._api().reserve(context, volume_id, instance_uuid)

    @base.remotable_classmethod
    def block_devices(cls, context, instance_uuid):
        """The block device mappings of the instance (``volume_id``, ``source_type``, ``delete_on_termination``,
        ``device_name``), in order."""
        keys = ("volume_id", "source_type", "delete_on_termination",
                "device_name", "boot_index")
        return [{k: row[k] for k in keys} for row in
                cls._db().block_devices.get_by_instance(context,
                                                        instance_uuid)]

    @base.remotable_classmethod
    def volumes_of(cls, context, instance_uuid):
        """:meth:`attachments` and :meth:`block_devices` of the instance
        in one call and one read transaction: ``{"attachments": [...],
        "block_devices": [...]}``."""
        with cls._db().reading(context):
            return {"attachments": cls.attachments(context, instance_uuid),
                    "block_devices": cls.block_devices(context,
                                                       instance_uuid)}

    @base.remotable_classmethod
    def forget_block_devices(cls, context, instance_uuid):
        """Drop the instance's mappings (its volumes were let go of)."""
        cls._db().block_devices.destroy_by_instance(context,
                                                    instance_uuid)

    @base.remotable_classmethod
    def forget_block_device(cls, context, instance_uuid, volume_id):
        """Drop the mapping of one volume of the instance (detached, or
        its attach failed)."""
        cls._db().block_devices.destroy_by_volume(context, volume_id,
                                                  instance_uuid)
