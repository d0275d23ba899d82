"""What the volume service tells the compute API when an attached
volume changed under its server: after an in-use volume was extended,
a ``volume-extended`` event (tag: the volume id) for each server it is
attached to, so the guest sees the new size (Cinder does the same
through Nova's ``os-server-external-events``; nimbus calls the compute
service API in process, never its own HTTP API).
"""

from oslo_log import log as logging

from nimbus.core.volume import statuses as st

LOG = logging.getLogger(__name__)


class ComputeEvents:
    """Sends a volume's events to the servers it is attached to.

    :param conf: the configuration.
    :param db: the database API (the compute API needs it).
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self._compute = None

    @property
    def compute(self):
        """The compute service API (made on first use)."""
        if self._compute is None:
            from nimbus.core.compute import api as compute_api
            self._compute = compute_api.ComputeAPI(self.conf, self.db)
        return self._compute

    def volume_extended(self, context, volume_id):
        """Send ``volume-extended`` for ``volume_id`` to the servers it
        is attached to. Never raises: the volume did grow; a server that
        missed the event sees the size when its guest next starts.

        :returns: the answered events (each with its ``code``).
        """
        ctx = context.elevated()
        try:
            rows = self.db.volumes.get_attachments(
                ctx, volume_id=volume_id, attach_status=st.ATTACH_ATTACHED)
            events = [{"name": "volume-extended", "tag": volume_id,
                       "server_uuid": row["instance_uuid"],
                       "status": "completed"} for row in rows]
            if not events:
                return []
            answered = self.compute.external_instance_event(ctx, events)
        except Exception:
            LOG.exception("Could not tell the servers of volume %s that it "
                          "was extended", volume_id)
            return []
        for event in answered:
            if event["code"] != 200:
                LOG.warning("Server %(uuid)s was not told that volume "
                            "%(vol)s was extended (%(code)s)",
                            {"uuid": event["server_uuid"], "vol": volume_id,
                             "code": event["code"]})
        return answered
