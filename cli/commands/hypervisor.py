"""``nimbus hypervisor list`` (admin)."""

from cliff import lister

from nimbus.cli import errors


class ListHypervisor(lister.Lister):
    """List hypervisors with their usage."""

    @errors.translated
    def take_action(self, args):
        nodes = self.app.connection.compute.hypervisors(details=True)
        return (("ID", "Hypervisor Hostname", "Type", "State", "vCPUs",
                  "vCPUs Used", "Memory MB", "Memory MB Used",
                  "Running VMs"),
                [(h.id, h.name, h.hypervisor_type, h.state, h.vcpus,
                  h.vcpus_used, h.memory_size, h.memory_used,
                  h.running_vms) for h in nodes])
