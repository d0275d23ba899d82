"""Resize and cold migration (``migrate_server``): conductor's workflow.

Steps (migration status / instance task state)::

    API          task_state resize_prep, action "resize" or "migrate"
    record       migration pre-migrating; the source claim passes to it
    schedule     the scheduler claims the new flavor on a target for the
                 instance (never the source, unless a resize and
                 [compute] allow_resize_to_same_host)
    send         migrating / resize_migrating: source compute stops the
                 guest and sends its disks (migrate_disk_and_power_off)
    finish       post-migrating / resize_finish: destination compute
                 creates the guest with the new flavor (finish_migration)
    done         the instance lives on the target with the new flavor,
                 vm_state resized; migration finished

Then the user confirms or reverts (:mod:`.resize_end`), or conductor
confirms once ``[compute] resize_confirm_window`` has passed. A failure
at any step rolls back: the hosts' side undone (guest back on the source,
running if it was), the target's claim released and the source's given
back to the instance, the migration in ``error``, a fault recorded, and
the instance back in its state, or in ERROR when the source could not be
restored.
"""

from oslo_log import log as logging

from nimbus.core import exception, fault_injection
from nimbus.core.compute import task_states, vm_states
from nimbus.core.conductor.workflows import base
from nimbus.core.interfaces import power_state
from nimbus.core.objects import flavor as flavor_obj

LOG = logging.getLogger(__name__)

#: instance fields that hold its flavor (Instance field -> flavor key).
FLAVOR_FIELDS = {"flavor_id": "flavorid", "flavor_name": "name",
                 "vcpus": "vcpus", "memory_mb": "memory_mb",
                 "root_gb": "root_gb", "ephemeral_gb": "ephemeral_gb",
                 "swap": "swap", "extra_specs": "extra_specs"}

# How far a run got (what rollback_hosts undoes).
_SENDING = "sending"
_FINISHING = "finishing"


def instance_flavor(context, instance):
    """The instance's flavor as a ``dict`` (its ``id`` the flavor row's,
    or None when the flavor was deleted since)."""
    flavor = {key: getattr(instance, name)
              for name, key in FLAVOR_FIELDS.items()}
    try:
        flavor["id"] = flavor_obj.Flavor.get_by_flavor_id(
            context, instance.flavor_id).id
    except exception.NotFound:
        flavor["id"] = None
    return flavor


def flavor_values(flavor):
    """Instance field values for ``flavor`` (a flavor ``dict``)."""
    return {name: flavor[key] for name, key in FLAVOR_FIELDS.items()}


def vm_state_for(power):
    """The stable vm_state a moved guest in ``power`` state has."""
    return vm_states.STOPPED if power == power_state.SHUTDOWN \
        else vm_states.ACTIVE


class ResizeTask(base.MoveTask):
    """Resize (a new flavor) or cold migration (the same flavor).

    :param flavor: the new flavor ``dict`` (the instance's for a cold
        migration).
    :param host: the target host the request asked for (migrate, 2.56),
        or None to let the scheduler choose.
    """

    event = "conductor_migrate_server"

    def __init__(self, manager, context, instance, flavor, host=None,
                 migration=None):
        super().__init__(manager, context, instance, migration)
        self.flavor = dict(flavor)
        self.host = host
        self.migration_type = "resize" if \
            flavor["flavorid"] != instance.flavor_id else "migration"
        self.step = None
        self.power_on = instance.vm_state != vm_states.STOPPED

    def _execute(self):
        instance = self.instance
        old = instance_flavor(self.context, instance)
        self.create_migration(old, self.flavor, "pre-migrating")
        same_host = self.migration_type == "resize" and \
            self.conf.compute.allow_resize_to_same_host
        spec = self.request_spec(
            self.flavor, ignore_hosts=() if same_host else [instance.host],
            requested_hosts=[self.host] if self.host else ())
        selection = self.claim_target(spec)
        self.set_status("migrating", "pre-migrating",
                        dest_compute=selection["host"],
                        dest_node=selection["nodename"],
                        dest_host=selection["host"])
        self.set_task_state(task_states.RESIZE_MIGRATING,
                            task_states.RESIZE_PREP)
        compute = self.manager.compute
        self.step = _SENDING
        sent = compute.resize_instance(self.context, instance,
                                       self.migration, self.flavor,
                                       selection["host"])
        fault_injection.pause_point(self.conf, "resize.sent", instance.uuid)
        self.set_status("post-migrating", "migrating")
        self.set_task_state(task_states.RESIZE_FINISH,
                            task_states.RESIZE_MIGRATING)
        self.step = _FINISHING
        compute.finish_resize(self.context, instance, self.migration,
                              self.flavor, sent, self.power_on)
        self.finish_records()

    def finish_records(self):
        """The guest runs on the target: the instance lives there now
        (resized), the migration is finished."""
        power = power_state.RUNNING if self.power_on \
            else power_state.SHUTDOWN
        self.place_on(self.migration.dest_compute)
        self.set_task_state(
            None, task_states.RESIZE_FINISH,
            host=self.migration.dest_compute,
            node=self.migration.dest_node, vm_state=vm_states.RESIZED,
            power_state=power, **flavor_values(self.flavor))
        self.set_status("finished", "post-migrating")

    def rollback_hosts(self, err):
        if self.step is None:
            return
        compute = self.manager.compute
        if self.step == _FINISHING:
            compute.revert_resize(self.context, self.instance,
                                  self.migration)
        compute.finish_revert_resize(self.context, self.instance,
                                     self.migration,
                                     self.migration.flavor("old"),
                                     self.power_on)

    # -- recovery -----------------------------------------------------------

    @classmethod
    def recover(cls, manager, context, instance, migration):
        """Settle a move a stopped conductor left in ``pre-migrating``,
        ``migrating`` or ``post-migrating``: complete it when the
        instance already lives on the target, else roll it back (the
        guest back on the source, or ERROR with a fault)."""
        task = cls(manager, context, instance, migration.flavor("new"),
                   migration=migration)
        task.migration_type = migration.migration_type
        task.power_on = instance.power_state != power_state.SHUTDOWN
        task.source_held = True
        # Whatever the instance holds while its source claim is held by
        # the migration is a target claim (maybe not yet recorded).
        task.target_claimed = True
        started = migration.created_at.isoformat()
        if migration.status == "post-migrating" and \
                instance.vm_state == vm_states.RESIZED and \
                instance.host == migration.dest_compute:
            task.set_status("finished", "post-migrating")
            task.record_event(started, "Success")
            return True
        task.step = {"migrating": _SENDING,
                     "post-migrating": _FINISHING}.get(migration.status)
        task.original_vm_state = vm_state_for(instance.power_state)
        err = exception.HypervisorError(
            reason=f"{migration.migration_type} interrupted at "
                   f"{migration.status}: conductor stopped")
        task.rollback(err)
        task.record_event(started, "Error", details=exception.message_of(err))
        return False
