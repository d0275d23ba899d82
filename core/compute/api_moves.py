"""Compute API: cold moves (resize, confirm, revert, migrate).

Each request is checked as Nova checks it (state 409, flavor and host
400, quota 403, the host's ``cold_migration`` capability 409), moves the
instance's task state (or its migration's status) with a guard, records
the action and casts to conductor, which runs the workflow
(:mod:`nimbus.core.conductor.workflows.resize`).
"""

from nimbus.core import exception
from nimbus.core.compute import task_states, vm_states
from nimbus.core.objects import flavor as flavor_obj
from nimbus.core.objects import migration as migration_obj

_MOVABLE = (vm_states.ACTIVE, vm_states.STOPPED)
_FLAVOR_KEYS = ("id", "flavorid", "name", "vcpus", "memory_mb", "root_gb",
                "ephemeral_gb", "swap", "extra_specs")


def _flavor_dict(flavor):
    return {key: getattr(flavor, key) for key in _FLAVOR_KEYS}


class MoveMixin:
    """Resize, confirm/revert and cold migration (mixed into ComputeAPI)."""

    def _movable(self, context, uuid, action):
        """Check what every move needs; return the instance."""
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance.vm_state not in _MOVABLE:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="vm_state",
                state=instance.vm_state)
        if instance.task_state is not None:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="task_state",
                state=instance.task_state)
        self._check_capable(context, instance, action)
        if self.volume_attachments(context, uuid):
            raise exception.Conflict(
                reason=f"Cannot '{action}' instance {uuid}: moving a "
                       f"server with volumes attached is not supported "
                       f"yet; detach them first")
        return instance

    def _start_move(self, context, instance, action, flavor, host=None):
        instance.task_state = task_states.RESIZE_PREP
        instance.save(expected_task_state=(None,),
                      expected_vm_state=_MOVABLE)
        self.db.actions.action_start(context, instance.uuid, action)
        try:
            self.conductor_rpc.migrate_server(context, instance, flavor,
                                              host=host)
        except Exception:
            instance.task_state = None
            instance.save(expected_task_state=(task_states.RESIZE_PREP,))
            raise

    def resize(self, context, uuid, flavor_id):
        """Resize the server to flavor ``flavor_id``.

        :raises Invalid: no such flavor, the same flavor, or a smaller
            root disk (400).
        :raises OverQuota: the growth does not fit the project's quota.
        """
        instance = self._movable(context, uuid, "resize")
        flavor = self._flavor_for_boot(context, flavor_id)
        if flavor.flavorid == instance.flavor_id:
            raise exception.Invalid(
                reason="When resizing, instances must change flavor!")
        if flavor.root_gb < instance.root_gb:
            raise exception.Invalid(
                reason=f"Resizing to flavor {flavor_id} would shrink the "
                       f"root disk from {instance.root_gb} GB to "
                       f"{flavor.root_gb} GB")
        deltas = {k: v for k, v in (
            ("cores", flavor.vcpus - instance.vcpus),
            ("ram", flavor.memory_mb - instance.memory_mb)) if v > 0}
        if deltas:
            self.quotas.check(context, instance.project_id, deltas)
        self._start_move(context, instance, "resize", _flavor_dict(flavor))

    def migrate(self, context, uuid, host=None):
        """Cold-migrate the server, to ``host`` when given (2.56).

        A ``host`` the scheduler finds unfit (disabled, full, another
        zone...) is not refused here: the migration ends in ``error``
        and the server stays where it is, as in Nova.

        :raises Invalid: ``host`` is the server's own host or no compute
            host (400, Nova's messages).
        """
        instance = self._movable(context, uuid, "migrate")
        if host is not None:
            if host == instance.host:
                raise exception.Invalid(
                    message="Cannot migrate to the host where the server "
                            "exists.")
            if not self.db.compute_nodes.get_all(context, host=host):
                raise exception.Invalid(
                    message=f"Compute host {host} could not be found.")
        flavor = {key: getattr(instance, name) for name, key in (
            ("flavor_id", "flavorid"), ("flavor_name", "name"),
            ("vcpus", "vcpus"), ("memory_mb", "memory_mb"),
            ("root_gb", "root_gb"), ("ephemeral_gb", "ephemeral_gb"),
            ("swap", "swap"), ("extra_specs", "extra_specs"))}
        try:
            flavor["id"] = flavor_obj.Flavor.get_by_flavor_id(
                context, instance.flavor_id).id
        except exception.FlavorNotFound:
            flavor["id"] = None
        self._start_move(context, instance, "migrate", flavor, host=host)

    def _finished_move(self, context, uuid, action):
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance.vm_state != vm_states.RESIZED:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=uuid, attr="vm_state",
                state=instance.vm_state)
        finished = [m for m in migration_obj.MigrationList.
                    get_in_progress_by_instance(context, uuid)
                    if m.status == "finished"]
        if not finished:
            raise exception.MigrationNotFoundByStatus(instance_id=uuid,
                                                      status="finished")
        return instance, finished[0]

    def confirm_resize(self, context, uuid):
        """Keep the finished move: the source's resources are freed.

        :raises InstanceInvalidState: the server is not resized (409).
        :raises MigrationNotFoundByStatus: no finished move (404).
        """
        instance, migration = self._finished_move(context, uuid,
                                                  "confirmResize")
        migration.status = "confirming"
        migration.save(expected_status="finished")
        self.db.actions.action_start(context, uuid, "confirmResize")
        self.conductor_rpc.confirm_resize(context, instance, migration)

    def revert_resize(self, context, uuid):
        """Undo the finished move: back to the source and old flavor."""
        instance, migration = self._finished_move(context, uuid,
                                                  "revertResize")
        instance.task_state = task_states.RESIZE_REVERTING
        instance.save(expected_task_state=(None,),
                      expected_vm_state=(vm_states.RESIZED,))
        try:
            migration.status = "reverting"
            migration.save(expected_status="finished")
        except exception.UnexpectedMigrationStatus:
            instance.task_state = None
            instance.save(
                expected_task_state=(task_states.RESIZE_REVERTING,))
            raise
        self.db.actions.action_start(context, uuid, "revertResize")
        self.conductor_rpc.revert_resize(context, instance, migration)

    def drop_resize_source(self, context, instance):
        """Before a resized server is deleted: confirm its move, so the
        source host drops the guest it kept for a revert (the delete
        ends the record and frees the claims either way)."""
        for migration in migration_obj.MigrationList.\
                get_in_progress_by_instance(context, instance.uuid):
            if migration.status != "finished":
                continue
            try:
                migration.status = "confirming"
                migration.save(expected_status="finished")
            except exception.UnexpectedMigrationStatus:
                continue
            self.conductor_rpc.confirm_resize(context, instance, migration)
