"""Power actions of the compute API: stop, start, reboot (soft or hard),
pause, unpause, suspend and resume, each checked against the instance's
states as Nova does and cast to the instance's compute.

:class:`PowerActionsMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``_begin``
and ``compute_rpc``.
"""

from nimbus.core.compute import task_states, vm_states
from nimbus.core.interfaces import hypervisor as hv

_ACTIVE = (vm_states.ACTIVE,)
_REBOOT_HARD_FROM = (vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED,
                     vm_states.SUSPENDED, vm_states.ERROR)
_REBOOT_HARD_TASKS = (None, task_states.PAUSING, task_states.UNPAUSING,
                      task_states.SUSPENDING, task_states.RESUMING) + \
    task_states.SOFT_REBOOT_STATES + task_states.HARD_REBOOT_STATES


class PowerActionsMixin:
    """Change a server's power state."""

    def stop(self, context, uuid):
        instance = self._begin(context, uuid, "stop",
                               (vm_states.ACTIVE, vm_states.ERROR),
                               task_states.POWERING_OFF)
        self.compute_rpc.stop_instance(context, instance)

    def start(self, context, uuid):
        instance = self._begin(context, uuid, "start", (vm_states.STOPPED,),
                               task_states.POWERING_ON)
        self.compute_rpc.start_instance(context, instance)

    def reboot(self, context, uuid, reboot_type):
        if reboot_type == hv.REBOOT_HARD:
            instance = self._begin(context, uuid, "reboot",
                                   _REBOOT_HARD_FROM,
                                   task_states.REBOOTING_HARD,
                                   _REBOOT_HARD_TASKS)
        else:
            instance = self._begin(context, uuid, "reboot", _ACTIVE,
                                   task_states.REBOOTING,
                                   operation="soft_reboot")
        self.compute_rpc.reboot_instance(context, instance, reboot_type)

    def pause(self, context, uuid):
        instance = self._begin(context, uuid, "pause", _ACTIVE,
                               task_states.PAUSING)
        self.compute_rpc.pause_instance(context, instance)

    def unpause(self, context, uuid):
        instance = self._begin(context, uuid, "unpause",
                               (vm_states.PAUSED,), task_states.UNPAUSING)
        self.compute_rpc.unpause_instance(context, instance)

    def suspend(self, context, uuid):
        instance = self._begin(context, uuid, "suspend", _ACTIVE,
                               task_states.SUSPENDING)
        self.compute_rpc.suspend_instance(context, instance)

    def resume(self, context, uuid):
        instance = self._begin(context, uuid, "resume",
                               (vm_states.SUSPENDED,), task_states.RESUMING)
        self.compute_rpc.resume_instance(context, instance)
