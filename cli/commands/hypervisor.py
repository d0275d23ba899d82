"""``nimbus hypervisor list/show/stats`` (admin)."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base


def _find(conn, name_or_id):
    return rest.find(conn, "hypervisor", name_or_id,
                     "/os-hypervisors/detail", "hypervisors",
                     show=("/os-hypervisors/%s", "hypervisor")) \
        if str(name_or_id).isdigit() else _by_name(conn, name_or_id)


def _by_name(conn, name):
    nodes = rest.get(conn, "/os-hypervisors/detail")["hypervisors"]
    found = [n for n in nodes if n["hypervisor_hostname"] == name]
    if not found:
        raise errors.CommandError(
            f"No hypervisor with a name or ID of '{name}' exists.")
    return found[0]


class ListHypervisor(base.Lister):
    """List hypervisors with their usage."""

    @errors.translated
    def take_action(self, args):
        nodes = rest.get(self.app.connection,
                         "/os-hypervisors/detail")["hypervisors"]
        return (("ID", "Hypervisor Hostname", "Type", "Host IP", "State",
                 "vCPUs Used", "vCPUs", "Memory MB Used", "Memory MB",
                 "Running VMs"),
                [(h["id"], h["hypervisor_hostname"], h["hypervisor_type"],
                  h["host_ip"], h["state"], h["vcpus_used"], h["vcpus"],
                  h["memory_mb_used"], h["memory_mb"], h["running_vms"])
                 for h in nodes])


class ShowHypervisor(base.ShowOne):
    """Show a hypervisor: resources, service and uptime."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("hypervisor", help="hostname or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        node = _find(conn, args.hypervisor)
        uptime = rest.get(conn, f"/os-hypervisors/{node['id']}/uptime")[
            "hypervisor"].get("uptime")
        fields = {k: v for k, v in node.items() if k != "service"}
        fields["service_host"] = node["service"]["host"]
        fields["service_id"] = node["service"]["id"]
        fields["uptime"] = uptime or ""
        keys = sorted(fields)
        return tuple(keys), tuple(fields[k] for k in keys)


class ShowHypervisorStats(base.ShowOne):
    """Show the sum of every hypervisor's resources."""

    @errors.translated
    def take_action(self, args):
        stats = rest.get(self.app.connection, "/os-hypervisors/statistics")[
            "hypervisor_statistics"]
        keys = sorted(stats)
        return tuple(keys), tuple(stats[k] for k in keys)
