"""The live-migration part of the hypervisor contract (interface 1.3).

:class:`LiveMigrationContract` is mixed into
:class:`nimbus.core.interfaces.hypervisor.Hypervisor`; its methods are
optional: a plugin declaring ``capabilities.live_migration`` implements
them all, one that does not keeps these defaults (they raise
UnsupportedOperation) and the compute API refuses the migration with 409
before anything is recorded.

The steps, who runs them and in which order (conductor drives; each
runs on the compute service of the host named):

1. destination: :meth:`~LiveMigrationContract.
   check_can_live_migrate_destination` -> a :class:`LiveMigrateData`;
2. source: :meth:`~LiveMigrationContract.check_can_live_migrate_source`
   completes it (shared storage or not, block migration decided);
3. destination: :meth:`~LiveMigrationContract.
   cleanup_live_migration_destination_check`;
4. destination: :meth:`~LiveMigrationContract.pre_live_migration`
   (directories, disks to copy into, kernel/ramdisk);
5. source: :meth:`~LiveMigrationContract.live_migration` (blocks until
   the guest runs on the destination, reporting progress; may be
   aborted or forced to complete from another thread);
6. on success, destination: :meth:`~LiveMigrationContract.
   post_live_migration_at_destination`, then source:
   :meth:`~LiveMigrationContract.post_live_migration`;
   on failure, destination: :meth:`~LiveMigrationContract.
   rollback_live_migration_at_destination` (the guest kept running on
   the source throughout).
"""

import dataclasses

from nimbus.core import exception


@dataclasses.dataclass
class LiveMigrateData:
    """What the two hosts tell each other about one live migration;
    travels over RPC as :meth:`to_dict`."""

    #: copy the local disks along (no shared storage); ``None`` until the
    #: source check decides it ("auto").
    block_migration: bool | None = None
    #: the instance directory is on storage both hosts share.
    is_shared_instance_path: bool = False
    #: the address the destination receives migration traffic on.
    dest_address: str | None = None
    #: the URI the source's hypervisor reaches the destination's with.
    dest_uri: str | None = None
    #: the guest keeps its disks' sizes (bytes) by local path (the
    #: destination pre-creates them for a block copy).
    disk_sizes: dict = dataclasses.field(default_factory=dict)
    #: plugin-private values (opaque to nimbus).
    plugin: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        if isinstance(values, cls):
            return values
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (values or {}).items()
                      if k in known})


@dataclasses.dataclass
class LiveMigrationProgress:
    """One progress sample of a running live migration (bytes)."""

    memory_total: int = 0
    memory_processed: int = 0
    memory_remaining: int = 0
    disk_total: int = 0
    disk_processed: int = 0
    disk_remaining: int = 0


class LiveMigrationContract:
    """Optional live-migration operations of a hypervisor plugin
    (``capabilities.live_migration``; block copy of local disks needs
    ``capabilities.block_migration`` too)."""

    def check_can_live_migrate_destination(self, context, spec,
                                           block_migration):
        """Run on the destination: can this host take ``spec``
        (:class:`~nimbus.core.interfaces.hypervisor.GuestSpec`)?

        May leave a marker for the source's shared-storage check, removed
        by :meth:`cleanup_live_migration_destination_check`.

        :param block_migration: True, False, or None ("auto").
        :returns: :class:`LiveMigrateData` naming how to reach this host.
        :raises MigrationPreCheckError: this host cannot take the guest.
        """
        self._unsupported("check_can_live_migrate_destination")

    def check_can_live_migrate_source(self, context, uuid, data):
        """Run on the source: complete ``data`` (shared storage, the
        block-migration decision, the disks' sizes) and return it.

        :raises MigrationPreCheckError: the guest cannot move as asked
            (block migration asked with shared storage, or refused
            without it, or the guest is not running).
        """
        self._unsupported("check_can_live_migrate_source")

    def cleanup_live_migration_destination_check(self, context, data):
        """Run on the destination: remove what the destination check left.
        Idempotent; the default does nothing."""

    def pre_live_migration(self, context, spec, data):
        """Run on the destination before the migration: create what the
        incoming guest needs (directories, the disks a block copy fills,
        kernel and ramdisk). Returns ``data`` (possibly completed)."""
        self._unsupported("pre_live_migration")

    def live_migration(self, context, uuid, data, progress):
        """Run on the source: move the running guest to the destination.

        Blocks until the guest runs there (then it no longer exists on
        this host) or the migration failed (then it still runs here,
        untouched). Calls ``progress(LiveMigrationProgress)`` now and then
        from the calling thread.

        :raises LiveMigrationAborted: :meth:`live_migration_abort` stopped
            it.
        :raises MigrationError: it failed.
        """
        self._unsupported("live_migration")

    def live_migration_abort(self, uuid):
        """Stop the running migration of ``uuid`` (from another thread);
        :meth:`live_migration` then raises LiveMigrationAborted.

        :raises MigrationError: no migration of ``uuid`` is running.
        """
        self._unsupported("live_migration_abort")

    def live_migration_force_complete(self, uuid):
        """Make the running migration of ``uuid`` converge now (e.g. pause
        the guest for the last copy); the guest runs again on the
        destination.

        :raises MigrationError: no migration of ``uuid`` is running.
        """
        self._unsupported("live_migration_force_complete")

    def live_migration_in_progress(self, uuid):
        """Whether a migration of ``uuid`` is running on this host (a
        compute restarting finds its own, started before it died). The
        default: False."""
        return False

    def post_live_migration_at_destination(self, context, spec, data):
        """Run on the destination after the guest arrived: make it a
        guest of this host like any other (persistent, restartable)."""
        self._unsupported("post_live_migration_at_destination")

    def post_live_migration(self, context, uuid, data):
        """Run on the source after the guest left: remove its leftovers
        here (local files unless the instance path is shared). Idempotent.
        """
        self._unsupported("post_live_migration")

    def rollback_live_migration_at_destination(self, context, uuid, data):
        """Run on the destination after a failed migration: remove every
        trace :meth:`pre_live_migration` or a partial migration left
        (never anything on shared storage). Idempotent."""
        self._unsupported("rollback_live_migration_at_destination")

    def _unsupported(self, operation):
        raise exception.UnsupportedOperation(
            plugin=type(self).__name__, operation=operation)
