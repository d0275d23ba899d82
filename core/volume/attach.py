"""Attach bookkeeping of the volume API, called by the compute API and
manager while a volume is attached to or detached from a server::

    reserve          available -> attaching   (one of two racers wins)
    initialize_connection                      (connection info, by RPC)
    attach           attaching -> in-use      (attachment row attached)
    unreserve        attaching -> available   (attach failed)
    begin_detaching  in-use -> detaching
    roll_detaching   detaching -> in-use      (detach failed)
    terminate_connection
    detach           detaching | in-use -> available (row removed)

A multiattach volume has one attachment per server: ``reserve`` also
takes it from ``in-use`` (-> ``attaching``), and ``unreserve`` and
``detach`` leave it ``in-use`` while an attached attachment remains. Its
attaches and detaches still happen one at a time (the status guards).
"""

from oslo_utils import timeutils, uuidutils

from nimbus.core import exception
from nimbus.core.volume import checks, views
from nimbus.core.volume import statuses as st


class AttachBookkeeping:
    """The attach and detach steps of :class:`~nimbus.core.volume.api.VolumeAPI`.

    Needs of its host class: ``db`` (the database API), ``rpc`` (the
    volume rpcapi), ``_volume_row(context, volume_id)`` and
    ``get_volume(context, volume_id)``.
    """

    def reserve(self, context, volume_id, instance_uuid):
        """Claim an ``available`` volume for an attach (-> ``attaching``)
        and record the attachment (status ``attaching``).

        A multiattach volume may also be ``in-use`` (attached to other
        servers).

        :returns: the attachment dict (its ``attachment_id``).
        :raises VolumeInvalidState: not available (e.g. the other of two
            concurrent reserves won).
        :raises InvalidVolume: a multiattach volume already attached to
            ``instance_uuid`` (one attachment per server).
        """
        row = self._volume_row(context, volume_id)
        expected = st.AVAILABLE
        if row["multiattach"]:
            expected = (st.AVAILABLE, st.IN_USE)
            if self.db.volumes.get_attachments(
                    context, volume_id=row["id"],
                    instance_uuid=instance_uuid):
                raise exception.InvalidVolume(
                    reason=f"Volume {row['id']} is already attached to "
                           f"server {instance_uuid}.")
        self.db.volumes.update_volume(
            context, row["id"], {"status": st.ATTACHING},
            expected_status=expected, action="attach")
        attachment = self.db.volumes.create_attachment(context, {
            "id": uuidutils.generate_uuid(), "volume_id": row["id"],
            "instance_uuid": instance_uuid,
            "attach_status": st.ATTACH_ATTACHING})
        return views.attachment(attachment)

    def unreserve(self, context, volume_id):
        """Undo :meth:`reserve` (the attach failed): -> ``available``
        (``in-use`` if still attached elsewhere)."""
        row = self._volume_row(context, volume_id)
        for attachment in self.db.volumes.get_attachments(
                context, volume_id=row["id"],
                attach_status=st.ATTACH_ATTACHING):
            self.db.volumes.destroy_attachment(context, attachment["id"])
        self.db.volumes.update_volume(
            context, row["id"], {"status": self._settled(context, row)},
            expected_status=st.ATTACHING, action="unreserve")

    def _settled(self, context, row):
        """The status a volume settles in once no attach or detach is under
        way: ``in-use`` while an attachment remains, else ``available``."""
        if self.db.volumes.get_attachments(
                context, volume_id=row["id"],
                attach_status=st.ATTACH_ATTACHED):
            return st.IN_USE
        return st.AVAILABLE

    def initialize_connection(self, context, volume_id, connector):
        """Return the connection info for ``connector``'s compute (asked of
        the volume's host over RPC).

        :raises VolumeInvalidState: not attaching or in-use.
        """
        row = self._volume_row(context, volume_id)
        if row["status"] not in (st.ATTACHING, st.IN_USE, st.DETACHING):
            raise exception.VolumeInvalidState(
                action="connect", volume_id=row["id"], status=row["status"],
                expected="attaching or in-use")
        checks.check_connector(connector)
        return self.rpc.initialize_connection(context, row["host"],
                                              row["id"], connector)

    def terminate_connection(self, context, volume_id, connector):
        """Undo :meth:`initialize_connection` for ``connector``."""
        row = self._volume_row(context, volume_id)
        checks.check_connector(connector)
        self.rpc.terminate_connection(context, row["host"], row["id"],
                                      connector)

    def attach(self, context, volume_id, instance_uuid, mountpoint,
               host=None):
        """Record the attach as done: ``attaching`` -> ``in-use``.

        :returns: the volume dict.
        """
        row = self._volume_row(context, volume_id)
        self.db.volumes.mark_attached(context, row["id"], instance_uuid, {
            "attach_status": st.ATTACH_ATTACHED, "mountpoint": mountpoint,
            "attached_host": host, "attach_time": timeutils.utcnow()})
        return self.get_volume(context, row["id"])

    def begin_detaching(self, context, volume_id):
        """``in-use`` -> ``detaching`` (one detach at a time)."""
        row = self._volume_row(context, volume_id)
        self.db.volumes.update_volume(
            context, row["id"], {"status": st.DETACHING},
            expected_status=st.IN_USE, action="detach")

    def roll_detaching(self, context, volume_id):
        """``detaching`` -> ``in-use`` (the detach failed)."""
        row = self._volume_row(context, volume_id)
        self.db.volumes.update_volume(
            context, row["id"], {"status": st.IN_USE},
            expected_status=st.DETACHING, action="roll back detaching")

    def detach(self, context, volume_id, attachment_id=None):
        """Record the detach as done: the attachment row goes, the volume
        becomes ``available`` (a multiattach volume attached elsewhere
        stays ``in-use``).

        :param attachment_id: the attachment; None: all of the volume's.
        """
        row = self._volume_row(context, volume_id)
        attachments = self.db.volumes.get_attachments(context,
                                                      volume_id=row["id"])
        if attachment_id is not None:
            attachments = [a for a in attachments if a["id"] == attachment_id]
            if not attachments:
                raise exception.VolumeAttachmentNotFound(
                    attachment_id=attachment_id)
        for attachment in attachments:
            self.db.volumes.destroy_attachment(context, attachment["id"])
        self.db.volumes.update_volume(
            context, row["id"], {"status": self._settled(context, row)},
            expected_status=(st.DETACHING, st.IN_USE, st.ATTACHING),
            action="detach")
        return self.get_volume(context, row["id"])
