"""``nimbus keypair ...``: create (generate or import), list, show,
delete."""

import os

from nimbus.cli import errors, rest
from nimbus.cli.commands import base


def _details(keypair):
    fields = {"name": keypair["name"],
              "fingerprint": keypair.get("fingerprint"),
              "type": keypair.get("type", "ssh"),
              "user_id": keypair.get("user_id", "")}
    return tuple(fields), tuple(fields.values())


class CreateKeypair(base.ShowOne):
    """Create a keypair: import a public key, or have one generated."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="keypair name")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--public-key", metavar="FILE",
                            help="import this public key file")
        source.add_argument("--private-key", metavar="FILE",
                            help="generate a key and write its private "
                                 "half to FILE (mode 0600)")
        parser.add_argument("--type", choices=("ssh", "x509"),
                            default="ssh", help="key type (default ssh)")
        return parser

    @errors.translated
    def take_action(self, args):
        body = {"name": args.name, "type": args.type}
        if args.public_key:
            try:
                with open(os.path.expanduser(args.public_key)) as f:
                    body["public_key"] = f.read()
            except OSError as err:
                raise errors.CommandError(
                    f"Cannot read public key file {args.public_key}: "
                    f"{err.strerror}")
        keypair = rest.call(self.app.connection, "POST", "/os-keypairs",
                            {"keypair": body})["keypair"]
        private = keypair.get("private_key")
        if private and args.private_key:
            fd = os.open(os.path.expanduser(args.private_key),
                         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(private)
        elif private:
            # Like the openstack client: the only copy goes to stdout.
            self.app.stdout.write(private)
            return (), ()
        return _details(keypair)


class ListKeypair(base.Lister):
    """List keypairs."""

    @errors.translated
    def take_action(self, args):
        pairs = rest.get(self.app.connection, "/os-keypairs")["keypairs"]
        return (("Name", "Fingerprint", "Type"),
                [(p["keypair"]["name"], p["keypair"]["fingerprint"],
                  p["keypair"].get("type", "ssh")) for p in pairs])


class ShowKeypair(base.ShowOne):
    """Show a keypair (add --public-key for the key itself)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="keypair name")
        parser.add_argument("--public-key", action="store_true",
                            help="print only the public key")
        return parser

    @errors.translated
    def take_action(self, args):
        keypair = rest.get(self.app.connection, "/os-keypairs/"
                           f"{rest.quote(args.name, safe='')}")["keypair"]
        if args.public_key:
            self.app.stdout.write(keypair["public_key"].rstrip("\n") + "\n")
            return (), ()
        return _details(keypair)


class DeleteKeypair(base.Command):
    """Delete keypairs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("names", nargs="+", help="keypair names")
        return parser

    @errors.translated
    def take_action(self, args):
        for name in args.names:
            rest.call(self.app.connection, "DELETE",
                      f"/os-keypairs/{rest.quote(name, safe='')}")
