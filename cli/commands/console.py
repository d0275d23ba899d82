"""``nimbus console log``: a server's serial console output;
``nimbus console url show``: a URL of its remote console."""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base


class ShowConsoleLog(base.Command):
    """Show the tail of a server's console log."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        parser.add_argument("--lines", type=int, default=None,
                            help="only the last N lines")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        body = rest.call(conn, "POST", f"/servers/{server['id']}/action",
                         {"os-getConsoleOutput": {"length": args.lines}})
        self.app.stdout.write(body["output"])
        if body["output"] and not body["output"].endswith("\n"):
            self.app.stdout.write("\n")


class ShowConsoleURL(base.ShowOne):
    """Show a URL that opens the server's remote console (noVNC) in a
    browser; it works for ``[consoleauth] token_ttl`` seconds."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        body = rest.call(conn, "POST",
                         f"/servers/{server['id']}/remote-consoles",
                         {"remote_console": {"protocol": "vnc",
                                             "type": "novnc"}},
                         version="2.6")["remote_console"]
        return ("protocol", "type", "url"), (
            body["protocol"], body["type"], body["url"])
