"""Live migration between fake hosts (hypervisor interface 1.3).

The fake hosts share no storage and no memory: the destination's
:meth:`pre_live_migration` creates the incoming guest, paused and marked
``incoming``, from the guest spec; the source's :meth:`live_migration`
"copies" the guest's memory in ten steps over ``[fake] latency``'s
``live_migration`` seconds, reporting progress, and removes its guest
when done; the destination's :meth:`post_live_migration_at_destination`
resumes the incoming guest. Hosts in separate processes (persisted
guests) migrate the same way, since nothing passes between the two
plugin instances except through nimbus.
"""

import threading

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state

_STEPS = 10
MiB = 1024 ** 2


class _Job:
    """A running live migration's controls. ``woken`` is set with either
    of the others, so a copy step waiting out its latency ends at once
    on an abort as on a force-complete."""

    def __init__(self):
        self.abort = threading.Event()
        self.force = threading.Event()
        self.woken = threading.Event()

    def set(self, control):
        control.set()
        self.woken.set()


class FakeLiveMigrationMixin:
    """The live-migration methods of :class:`FakeDriver`."""

    def _jobs(self):
        if not hasattr(self, "_live_jobs"):
            self._live_jobs = {}
        return self._live_jobs

    def check_can_live_migrate_destination(self, context, spec,
                                           block_migration):
        self._need("live_migration", "check_can_live_migrate_destination")
        if block_migration and not self.capabilities.block_migration:
            raise exception.LiveMigrationPreCheckError(
                reason=f"host {self.host} cannot block-migrate")
        with self._lock:
            guest = self._guests.get(spec.uuid)
        if guest is not None and not guest.get("incoming"):
            raise exception.LiveMigrationPreCheckError(
                reason=f"{spec.uuid} already runs on {self.host}")
        return hv.LiveMigrateData(block_migration=block_migration,
                                  dest_address=self.host,
                                  dest_uri=f"fake://{self.host}")

    def check_can_live_migrate_source(self, context, uuid, data):
        self._need("live_migration", "check_can_live_migrate_source")
        data = hv.LiveMigrateData.from_dict(data)
        guest = self._get(uuid)
        if guest["power_state"] not in (power_state.RUNNING,
                                        power_state.PAUSED):
            raise exception.LiveMigrationPreCheckError(
                reason=f"{uuid} is not running")
        # Fake hosts never share storage: the disk must be copied.
        if data.block_migration is None:
            data.block_migration = True
        if not data.block_migration:
            raise exception.LiveMigrationPreCheckError(
                reason=f"{self.host} and {data.dest_address} share no "
                       "storage: the migration must copy the disks "
                       "(block_migration)")
        if not self.capabilities.block_migration:
            raise exception.LiveMigrationPreCheckError(
                reason=f"host {self.host} cannot block-migrate")
        data.disk_sizes = {"disk": guest.get("root_gb", 0) * 1024 ** 3}
        return data

    def pre_live_migration(self, context, spec, data):
        self._need("live_migration", "pre_live_migration")
        self._act("pre_live_migration")
        with self._lock:
            current = self._guests.get(spec.uuid)
            if current is not None and not current.get("incoming"):
                raise exception.InstanceExists(name=spec.uuid)
            self._guests[spec.uuid] = {
                "name": spec.name, "vcpus": spec.vcpus,
                "memory_mb": spec.memory_mb, "root_gb": spec.root_gb,
                "disks": {}, "vifs": {}, "incoming": True,
                "power_state": power_state.PAUSED,
                "console": [f"fake guest {spec.uuid} incoming"]}
            self._save()
        return hv.LiveMigrateData.from_dict(data)

    def live_migration(self, context, uuid, data, progress):
        self._need("live_migration", "live_migration")
        guest = self._get(uuid)
        job = self._jobs().setdefault(uuid, _Job())
        try:
            total = guest["memory_mb"] * MiB
            delay = float(self.conf.fake.latency.get("live_migration", 0)
                          or 0) / _STEPS
            for step in range(1, _STEPS + 1):
                if job.abort.is_set():
                    raise exception.LiveMigrationAborted(instance_uuid=uuid)
                if job.force.is_set():
                    step = _STEPS
                done = total * step // _STEPS
                progress(hv.LiveMigrationProgress(
                    memory_total=total, memory_processed=done,
                    memory_remaining=total - done))
                if step == _STEPS:
                    break
                if delay:
                    job.woken.wait(delay)
            f = self.conf.fake
            if self.host in f.fail_hosts and "live_migration" in f.fail_ops:
                raise exception.LiveMigrationError(
                    instance_uuid=uuid,
                    reason=f"injected live_migration failure on {self.host}")
            if job.abort.is_set():
                raise exception.LiveMigrationAborted(instance_uuid=uuid)
            with self._lock:
                self._guests.pop(uuid, None)
                self._save()
        finally:
            self._jobs().pop(uuid, None)

    def _job(self, uuid, operation):
        job = self._jobs().get(uuid)
        if job is None:
            raise exception.LiveMigrationError(
                instance_uuid=uuid, reason=f"no migration running for "
                                           f"{operation}")
        return job

    def live_migration_abort(self, uuid):
        self._need("live_migration_abort", "live_migration_abort")
        job = self._job(uuid, "abort")
        job.set(job.abort)

    def live_migration_force_complete(self, uuid):
        self._need("live_migration_force_complete",
                   "live_migration_force_complete")
        job = self._job(uuid, "force complete")
        job.set(job.force)

    def live_migration_in_progress(self, uuid):
        return uuid in self._jobs()

    def post_live_migration_at_destination(self, context, spec, data):
        self._need("live_migration", "post_live_migration_at_destination")
        with self._lock:
            guest = self._guests.get(spec.uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(
                    instance_id=spec.uuid)
            guest.pop("incoming", None)
            guest["power_state"] = power_state.RUNNING
            guest["console"].append("arrived by live migration")
            self._save()

    def post_live_migration(self, context, uuid, data):
        self._need("live_migration", "post_live_migration")
        with self._lock:
            self._guests.pop(uuid, None)
            self._save()

    def rollback_live_migration_at_destination(self, context, uuid, data):
        self._need("live_migration", "rollback_live_migration_at_destination")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is not None and guest.get("incoming"):
                self._guests.pop(uuid)
                self._save()

    def migrating_in(self, uuid):
        """Test helper: whether ``uuid`` is an incoming, unfinished guest."""
        with self._lock:
            return bool(self._guests.get(uuid, {}).get("incoming"))
