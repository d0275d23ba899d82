"""``nimbus flavor list``."""

from cliff import lister

from nimbus.cli import errors


class ListFlavor(lister.Lister):
    """List flavors."""

    @errors.translated
    def take_action(self, args):
        flavors = self.app.connection.compute.flavors()
        return (("ID", "Name", "RAM", "Disk", "VCPUs", "Is Public"),
                [(f.id, f.name, f.ram, f.disk, f.vcpus, f.is_public)
                 for f in flavors])
