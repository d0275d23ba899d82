"""The bases of nimbus's commands: cliff's, without the plugin epilog.

cliff ends each command's help with the name of the distribution that
provides it, and to learn it reads the file lists of every installed
distribution: about 0.2 s on every call, help or not. nimbus's commands
come with nimbus (the note is printed only for another distribution's),
so they say what their own ``_epilog`` says and nothing more.
"""

from cliff import command, lister, show


class _OwnEpilog:
    def get_epilog(self):
        return self._epilog or ""


class Command(_OwnEpilog, command.Command):
    """A command that prints what it does, or nothing."""


class Lister(_OwnEpilog, lister.Lister):
    """A command that prints a table."""


class ShowOne(_OwnEpilog, show.ShowOne):
    """A command that prints one record."""
