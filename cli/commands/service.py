"""``nimbus service list`` (admin)."""

from cliff import lister

from nimbus.cli import errors


class ListService(lister.Lister):
    """List services and whether they are up."""

    @errors.translated
    def take_action(self, args):
        services = self.app.connection.compute.services()
        return (("ID", "Binary", "Host", "Zone", "Status", "State",
                 "Updated At"),
                [(s.id, s.binary, s.host, s.availability_zone, s.status,
                  s.state, s.updated_at) for s in services])
