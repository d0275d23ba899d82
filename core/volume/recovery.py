"""nimbus-volume's recovery: every transient status of this host's
records has an owner and a deadline, and this is what settles a record
whose owner is gone.

* ``creating``, ``deleting``, ``extending``, ``uploading`` (and snapshots
  ``creating``/``deleting``) are owned by the volume host. A record the
  running service is not working on is settled once its status is older
  than ``[volume] operation_timeout`` (a cast lost on the way, checked
  every ``recovery_interval`` seconds). When the service **starts** it
  settles them all at once, whatever their age: the process that worked
  on them is gone. A ``creating`` volume still younger than
  ``operation_timeout`` is then made again (its half-made backend volume
  removed and the create cast to this host once the service takes RPC),
  so a build waiting for it goes on; an older one is failed.
* ``attaching`` and ``detaching`` are owned by the compute attaching or
  detaching the volume. One no live server is working on (no attachment
  of a server with a task state) for longer than ``operation_timeout``
  was abandoned: an attach is given back (``available``, export
  removed), a detach rolled back (``in-use``: the guest may still have
  the disk).
* Attachments of servers that are gone (deleted while this service was
  away) are released: export removed, volume ``available``.

:class:`RecoveryMixin` is mixed into
:class:`~nimbus.core.volume.manager.VolumeManager`; it relies on its
``db``, ``driver``, ``target_plugin``, ``host``, ``conf``, ``_working``,
``_working_on``, ``_row_in``, ``_set``, ``_set_snapshot``, ``_spec``,
``_snapshot_spec``, ``_delete`` and ``_delete_snapshot``.
"""

import contextlib
import datetime
import json

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.volume import statuses as st

LOG = logging.getLogger(__name__)


def _seconds(value):
    return datetime.timedelta(seconds=value)


class RecoveryMixin:
    """Settling records whose operation's owner is gone."""

    #: ``creating`` volumes to make again once the service takes RPC.
    _recreate = ()

    def recover(self, at_start=False):
        """Finish or fail this host's records stuck in a transient status.

        :param at_start: the service is starting (nothing of this
            process works on any record yet): settle every transient
            record now, whatever its age.

        * ``creating``: if the backend holds the volume (drivers create
          all or nothing) and no image copy was part of it, it becomes
          ``available``; otherwise anything made is removed and, at
          start and while younger than ``operation_timeout``, it is made
          again; else it becomes ``error``;
        * ``deleting``: the delete is run again (it is idempotent);
        * ``extending``: ``error_extending`` (the new size is unknown);
        * ``uploading``: back to ``available`` with a fault;
        * ``attaching``/``detaching`` no server works on: given back /
          rolled back (see the module);
        * snapshots ``creating``: ``error``; ``deleting``: run again.
        """
        ctx = nimbus_context.get_admin_context()
        now = timeutils.utcnow()
        deadline = now - _seconds(self.conf.volume.operation_timeout)
        cutoff = now + _seconds(1) if at_start else deadline
        recreate = []
        stuck = self.db.volumes.get_volumes(ctx, {
            "host": self.host, "status": st.TRANSIENT,
            "changed_before": cutoff})
        for row in stuck:
            if row["id"] in self._working:
                continue
            young = at_start and row["status_changed_at"] is not None \
                and row["status_changed_at"] >= deadline
            with self._working_on(row["id"]):
                try:
                    if self._recover_volume(row, young):
                        recreate.append(row)
                except Exception:  # one bad record must not stop the rest
                    LOG.exception("Recovering volume %s failed", row["id"])
        if at_start:
            self._recreate = recreate
        self._release_orphaned_attachments(ctx)
        self._settle_attach_states(ctx, deadline)
        mine = {r["id"] for r in self.db.volumes.get_volumes(
            ctx, {"host": self.host})}
        for snap in self.db.volumes.get_snapshots(ctx, {
                "status": st.SNAPSHOT_TRANSIENT, "changed_before": cutoff}):
            if snap["volume_id"] not in mine or snap["id"] in self._working:
                continue
            with self._working_on(snap["volume_id"]), \
                    self._working_on(snap["id"]):
                try:
                    self._recover_snapshot(snap)
                except Exception:
                    LOG.exception("Recovering snapshot %s failed",
                                  snap["id"])

    def recreate_interrupted(self, rpcapi):
        """Cast the creates :meth:`recover` found interrupted at start to
        this host (call it once the service takes RPC). A create message
        that was still queued for them arrives too and finds the volume
        no longer ``creating``: the volume is made once."""
        ctx = nimbus_context.get_admin_context()
        for row in self._recreate:
            LOG.warning("Making volume %s again: its create was "
                        "interrupted by a restart", row["id"])
            rpcapi.create_volume(ctx, self.host, row["id"],
                                 snapshot_id=row["snapshot_id"],
                                 source_volid=row["source_volid"],
                                 image_id=row["image_id"])
        self._recreate = ()

    # -- volumes ----------------------------------------------------------------

    def _recover_volume(self, row, young=False):
        """Settle one stuck record; True when a ``creating`` volume is to
        be made again (``young``: at start, within its deadline)."""
        row = self._row_in(row["id"], row["status"])
        if row is None:
            return False
        status = row["status"]
        LOG.warning("Volume %(id)s was left %(status)s since %(since)s; "
                    "recovering it", {"id": row["id"], "status": status,
                                      "since": row["status_changed_at"]})
        if status == st.CREATING:
            return self._recover_create(row, young)
        if status == st.DELETING:
            self._delete(row)
        elif status == st.EXTENDING:
            self._set(row["id"], st.EXTENDING, status=st.ERROR_EXTENDING,
                      fault_message="The volume service stopped while "
                                    "extending the volume.")
        elif status == st.DOWNLOADING:
            # Half an image may be on it: Cinder's error.
            self._set(row["id"], st.DOWNLOADING, status=st.ERROR,
                      fault_message="The volume service stopped while "
                                    "re-imaging the volume.")
        elif status == st.UPLOADING:
            self._set(row["id"], st.UPLOADING, status=st.AVAILABLE,
                      fault_message="The volume service stopped while "
                                    "uploading the volume to an image.")
        return False

    def _recover_create(self, row, young):
        spec = self._spec(row)
        if self.driver.volume_exists(spec) and not row["image_id"]:
            self._set(row["id"], st.CREATING, status=st.AVAILABLE,
                      fault_message=None)
            return False
        with contextlib.suppress(exception.VolumeBackendError):
            self.driver.delete_volume(spec)
        if young:
            return True
        self._set(row["id"], st.CREATING, status=st.ERROR,
                  fault_message="The volume service stopped while "
                                "creating the volume.")
        return False

    # -- attachments --------------------------------------------------------------

    def _release_orphaned_attachments(self, ctx):
        """Detach this host's volumes from servers that are gone (deleted
        while this service was away, so their compute could not detach
        them): the export goes and the volume is ``available`` again. A
        volume its server was to delete on termination is kept: deleting
        a user's data is never done on a guess."""
        for attachment in self.db.volumes.orphaned_attachments(ctx,
                                                               self.host):
            volume_id = attachment["volume_id"]
            if volume_id in self._working:
                continue
            with self._working_on(volume_id):
                try:
                    self._release_orphan(ctx, attachment)
                except Exception:  # one bad record must not stop the rest
                    LOG.exception("Releasing volume %s of deleted server "
                                  "%s failed", volume_id,
                                  attachment["instance_uuid"])

    def _release_orphan(self, ctx, attachment):
        volume_id = attachment["volume_id"]
        LOG.warning("Volume %(volume)s is still attached to deleted server "
                    "%(server)s; detaching it",
                    {"volume": volume_id,
                     "server": attachment["instance_uuid"]})
        self.db.volumes.destroy_attachment(ctx, attachment["id"])
        if self.db.volumes.get_attachments(ctx, volume_id=volume_id):
            return
        self._remove_export(ctx, volume_id)
        with contextlib.suppress(exception.VolumeInvalidState):
            # Already moved on (available, or being deleted).
            self.db.volumes.update_volume(
                ctx, volume_id, {"status": st.AVAILABLE},
                expected_status=(st.IN_USE, st.ATTACHING, st.DETACHING),
                action="detach")

    def _remove_export(self, ctx, volume_id):
        row = self.db.volumes.get_volume(ctx, volume_id)
        if row["export_json"]:
            self.target_plugin.remove_export(self._spec(row),
                                             json.loads(row["export_json"]))
            self.db.volumes.update_volume(ctx, volume_id,
                                          {"export_json": None})

    def _settle_attach_states(self, ctx, deadline):
        """Give back attaches and roll back detaches no server has worked
        on since ``deadline`` (their compute or its message was lost)."""
        for row in self.db.volumes.unowned_attach_states(ctx, self.host,
                                                         deadline):
            if row["id"] in self._working:
                continue
            with self._working_on(row["id"]):
                try:
                    self._settle_attach_state(ctx, row)
                except Exception:  # one bad record must not stop the rest
                    LOG.exception("Settling volume %s left %s failed",
                                  row["id"], row["status"])

    def _settle_attach_state(self, ctx, row):
        volume_id = row["id"]
        attached = self.db.volumes.get_attachments(
            ctx, volume_id=volume_id, attach_status=st.ATTACH_ATTACHED)
        LOG.warning("Volume %(id)s was left %(status)s since %(since)s by "
                    "an attach or detach nobody works on; settling it",
                    {"id": volume_id, "status": row["status"],
                     "since": row["status_changed_at"]})
        for attachment in self.db.volumes.get_attachments(
                ctx, volume_id=volume_id, attach_status=st.ATTACH_ATTACHING):
            self.db.volumes.destroy_attachment(ctx, attachment["id"])
        if not attached:
            self._remove_export(ctx, volume_id)
        with contextlib.suppress(exception.VolumeInvalidState):
            self.db.volumes.update_volume(
                ctx, volume_id,
                {"status": st.IN_USE if attached else st.AVAILABLE,
                 "fault_message": f"The {row['status']} was abandoned "
                                  "(the compute doing it stopped)."},
                expected_status=row["status"], action="settle")

    # -- snapshots ----------------------------------------------------------------

    def _recover_snapshot(self, snap):
        ctx = nimbus_context.get_admin_context()
        snap = self.db.volumes.get_snapshot(ctx, snap["id"])
        if snap["status"] == st.CREATING:
            with contextlib.suppress(Exception):
                volume = self.db.volumes.get_volume(ctx, snap["volume_id"])
                self.driver.delete_snapshot(self._snapshot_spec(snap),
                                            self._spec(volume))
            self._set_snapshot(snap["id"], st.CREATING, status=st.ERROR,
                               fault_message="The volume service stopped "
                                             "while creating the snapshot.")
        elif snap["status"] == st.DELETING:
            self._delete_snapshot(snap)
