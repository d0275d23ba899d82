"""More server operations of the compute API: lock, reset state,
metadata, renaming, the action log and the guest's posted password.

:class:`ServerExtrasMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``,
``_check_lock``, ``db`` and ``quotas``.
"""

from nimbus.core import exception, servicegroup
from nimbus.core.compute import task_states, vm_states

# Nova's metadata update/delete states.
_METADATA_STATES = (vm_states.ACTIVE, vm_states.PAUSED,
                    vm_states.SUSPENDED, vm_states.STOPPED,
                    vm_states.BUILDING, vm_states.ERROR)
_RESET_STATES = (vm_states.ACTIVE, vm_states.ERROR)
# Nova's trigger_crash_dump states (with no task in progress).
_CRASH_DUMP_STATES = (vm_states.ACTIVE, vm_states.PAUSED,
                      vm_states.RESCUED, vm_states.RESIZED, vm_states.ERROR)
#: what a guest may post as its password (Nova's limit).
PASSWORD_MAX_BYTES = 256


class ServerExtrasMixin:
    """Lock, reset-state, metadata, rename and instance actions."""

    def lock(self, context, uuid, reason=None):
        """Lock the server, keeping ``reason`` (2.73) while it is.

        As Nova: the owner's lock of a locked server changes nothing
        (an administrator's takes the lock over, and its reason if it
        gives one)."""
        instance = self.get(context, uuid)
        is_owner = instance.project_id == context.project_id
        if instance.locked and is_owner:
            return instance
        self.db.actions.action_start(context, uuid, "lock")
        instance.locked = True
        instance.locked_by = "owner" if is_owner else "admin"
        if reason:
            instance.system_metadata = dict(instance.system_metadata,
                                            locked_reason=reason)
        instance.save()
        return instance

    def unlock(self, context, uuid, override=False):
        """Unlock; a non-admin may only undo their own project's lock.

        :raises NotAuthorized: locked by an admin and no ``override``.
        """
        instance = self.get(context, uuid)
        if instance.locked_by == "admin" and not override:
            raise exception.PolicyNotAuthorized(
                action="os_compute_api:os-lock-server:unlock:"
                       "unlock_override")
        self.db.actions.action_start(context, uuid, "unlock")
        instance.locked = False
        instance.locked_by = None
        if "locked_reason" in instance.system_metadata:
            instance.system_metadata = {
                k: v for k, v in instance.system_metadata.items()
                if k != "locked_reason"}
        instance.save()
        return instance

    # -- host status (2.16) ---------------------------------------------------

    def host_statuses(self, context, instances):
        """``{instance uuid: status}`` of the hosts the instances are on,
        as Nova's ``host_status``: ``UP``, ``DOWN`` (service down or
        forced down), ``MAINTENANCE`` (disabled), ``UNKNOWN`` (no service
        record), ``""`` (no host yet); one query for a page."""
        hosts = {i.host for i in instances if i.host}
        services = {s["host"]: s for s in self.db.services.get_all(
            context, binary="nimbus-compute")} if hosts else {}
        found = {}
        for instance in instances:
            service = services.get(instance.host)
            if not instance.host:
                found[instance.uuid] = ""
            elif service is None:
                found[instance.uuid] = "UNKNOWN"
            elif not servicegroup.is_up(self.conf, service):
                found[instance.uuid] = "DOWN"
            elif service["disabled"]:
                found[instance.uuid] = "MAINTENANCE"
            else:
                found[instance.uuid] = "UP"
        return found

    # -- the password a guest posted ------------------------------------------

    def get_server_password(self, context, uuid):
        """The password the guest posted (encrypted with its key pair's
        public key by the guest), or ``""``."""
        instance = self.get(context, uuid)
        return self.db.passwords.get(context, instance.uuid)

    def clear_server_password(self, context, uuid):
        """Forget the posted password (the guest may post a new one)."""
        instance = self.get(context, uuid)
        self.db.passwords.clear(context, instance.uuid)

    def post_server_password(self, context, uuid, password):
        """Record what the guest posted to the metadata service, once.

        :raises Invalid: longer than Nova's 256 bytes.
        :raises Conflict: a password is set already.
        """
        if len(password) > PASSWORD_MAX_BYTES:
            raise exception.Invalid(
                reason=f"Password is longer than {PASSWORD_MAX_BYTES} "
                       "bytes")
        if not self.db.passwords.set_once(context, uuid, password):
            raise exception.Conflict(message="Password already set")

    def reset_state(self, context, uuid, state):
        """Force ``vm_state`` (active or error) and clear the task."""
        if state not in _RESET_STATES:
            raise exception.Invalid(reason=f"Invalid state {state}")
        instance = self.get(context, uuid)
        self.db.actions.action_start(context, uuid, "resetState")
        instance.vm_state = state
        instance.task_state = None
        instance.save()
        return instance

    def update_server(self, context, uuid, values):
        """Change ``display_name``, ``display_description``,
        ``access_ip_v4``, ``access_ip_v6`` or ``hostname`` (2.90: what
        the metadata service and DHCP hand the guest from now on)."""
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        for key in ("display_name", "display_description", "access_ip_v4",
                    "access_ip_v6", "hostname"):
            if key in values:
                setattr(instance, key, values[key])
        instance.save()
        if "hostname" in values:
            self.network.set_instance_hostname(context, instance.uuid,
                                               values["hostname"])
        return instance

    def trigger_crash_dump(self, context, uuid):
        """Have the server's host send its guest an NMI (2.17).

        :raises InstanceInvalidState: not in a crash-dump state, a task
            in progress, or no host (409).
        :raises ActionNotSupportedByHost: the host's plugin declares no
            ``crash_dump`` (409).
        """
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance.vm_state not in _CRASH_DUMP_STATES or \
                instance.task_state is not None:
            bad = "vm_state" if instance.task_state is None else "task_state"
            raise exception.InstanceInvalidState(
                action="trigger_crash_dump", instance_uuid=uuid, attr=bad,
                state=getattr(instance, bad))
        if not instance.host:
            raise exception.Conflict(
                reason=f"Instance {uuid} is not ready (no host yet)")
        self._check_capable(context, instance, "trigger_crash_dump")
        self.db.actions.action_start(context, uuid, "trigger_crash_dump")
        self.compute_rpc.trigger_crash_dump(context, instance)

    def set_admin_password(self, context, uuid, password):
        """Have the server's host set the guest's administrator password
        (Nova's changePassword); the server is ``updating_password``
        while the host does it, and the API waits for it.

        :raises InstanceInvalidState: not ACTIVE, or a task in progress
            (409).
        :raises SetAdminPasswordNotImplemented: the host's plugin declares no
            ``set_admin_password``, or its RPC API is pinned below 1.16
            (501).
        :raises InstancePasswordSetFailed: the plugin failed (409).
        """
        instance = self.get(context, uuid)
        self.compute_rpc.check_set_admin_password(instance)
        try:
            instance = self._begin(context, uuid, "changePassword",
                                   (vm_states.ACTIVE,),
                                   task_states.UPDATING_PASSWORD,
                                   operation="set_admin_password")
        except exception.ActionNotSupportedByHost:
            raise exception.SetAdminPasswordNotImplemented(
                instance_uuid=uuid, plugin=instance.host,
                operation="set_admin_password") from None
        self.compute_rpc.set_admin_password(context, instance, password)

    # -- metadata -----------------------------------------------------------

    def update_metadata(self, context, uuid, metadata, replace=False):
        """Merge (or with ``replace``, set) metadata; return it all.

        :raises OverQuota: more items than ``[quota] metadata_items``.
        :raises InstanceInvalidState: the instance is mid-task (409).
        """
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        self._check_metadata_state(instance)
        merged = {} if replace else dict(instance.metadata)
        merged.update(metadata)
        self.quotas.check_metadata(context, instance.project_id, merged)
        instance.metadata = merged
        instance.save()
        return dict(instance.metadata)

    def delete_metadata_item(self, context, uuid, key):
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        self._check_metadata_state(instance)
        metadata = dict(instance.metadata)
        if key not in metadata:
            raise exception.NotFound(
                message=f"Metadata item was not found: {key}")
        del metadata[key]
        instance.metadata = metadata
        instance.save()

    def _check_metadata_state(self, instance):
        if instance.vm_state not in _METADATA_STATES or \
                instance.task_state == "deleting":
            raise exception.InstanceInvalidState(
                action="update metadata", instance_uuid=instance.uuid,
                attr="vm_state", state=instance.vm_state)

    # -- actions log --------------------------------------------------------

    def instance_actions(self, context, uuid, read_deleted=False,
                         limit=None, marker=None, changes_since=None,
                         changes_before=None):
        """Return the actions of a visible instance (with
        ``read_deleted``, of a deleted one too), newest first; a page of
        them with ``limit`` and ``marker`` (a request id), those changed
        since a datetime with ``changes_since`` (2.58), before one with
        ``changes_before`` (2.66).

        :raises Invalid: ``marker`` is no action of the instance.
        """
        self.get(context, uuid, read_deleted=read_deleted)
        return self.db.actions.actions_for(
            context, uuid, limit=limit, marker=marker,
            changes_since=changes_since, changes_before=changes_before)

    def instance_action(self, context, uuid, request_id,
                        read_deleted=False):
        for action in self.instance_actions(context, uuid, read_deleted):
            if action["request_id"] == request_id:
                return action
        raise exception.NotFound(
            message=f"Action {request_id} on instance {uuid} not found")
