"""``nimbus image list/show``: the images the compute API offers."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base


class ListImage(base.Lister):
    """List images."""

    @errors.translated
    def take_action(self, args):
        images = rest.get(self.app.connection, "/images/detail")["images"]
        return (("ID", "Name", "Status", "Size"),
                [(i["id"], i["name"], i.get("status"),
                  i.get("OS-EXT-IMG-SIZE:size", "")) for i in images])


class ShowImage(base.ShowOne):
    """Show one image."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("image", help="image name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        image = rest.image(self.app.connection, args.image)
        fields = {"id": image["id"], "name": image["name"],
                  "status": image.get("status"),
                  "size": image.get("OS-EXT-IMG-SIZE:size", ""),
                  "min_disk": image.get("minDisk", 0),
                  "min_ram": image.get("minRam", 0),
                  "created": image.get("created"),
                  "updated": image.get("updated"),
                  "properties": rest.props(image.get("metadata"))}
        return tuple(fields), tuple(fields.values())
