"""``nimbus``: the command-line client (cliff + openstacksdk).

It finds its cloud in clouds.yaml the usual way (``--os-cloud`` /
``OS_CLOUD``, default ``nimbus``; ``OS_CLIENT_CONFIG_FILE`` or the
standard locations) and also reads the clouds.yaml that nimbus-all writes
into its default state path, so a fresh embedded install works with no
set-up.
"""

import os
import sys
import warnings
from importlib import metadata

from cliff import app, commandmanager

from nimbus.core.conf import default as default_conf


class CommandManager(commandmanager.CommandManager):
    """cliff's command manager, importing only the command that runs.

    cliff's own has stevedore import every command module of the
    namespace (a third of a second here, on every call); this one keeps
    the entry points, which cliff loads when it finds the command asked
    for. Commands of other distributions in the namespace still count.
    """

    def load_commands(self, namespace):
        self.group_list.append(namespace)
        for entry_point in metadata.entry_points(group=namespace):
            self.commands[entry_point.name.replace("_", " ")] = entry_point


class NimbusApp(app.App):
    """The nimbus CLI application."""

    def __init__(self):
        super().__init__(
            description="nimbus compute controller client",
            version="0.1.0",
            command_manager=CommandManager("nimbus.cli"),
            deferred_help=True)
        self._conn = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        parser.add_argument(
            "--os-cloud", default=os.environ.get("OS_CLOUD", "nimbus"),
            help="cloud name in clouds.yaml (env OS_CLOUD; default nimbus)")
        return parser

    @property
    def connection(self):
        """The openstacksdk Connection, made on first use."""
        if self._conn is None:
            self._conn = connect(self.options.os_cloud)
        return self._conn


def config_files():
    from openstack import config as os_config
    files = list(os_config.loader.CONFIG_FILES)
    files.append(os.path.join(default_conf._default_state_path(),
                              "clouds.yaml"))
    return files


def connect(cloud):
    import openstack
    from openstack import config as os_config
    warnings.filterwarnings("ignore", module="openstack")
    config = os_config.OpenStackConfig(config_files=config_files())
    region = config.get_one(cloud=cloud)
    return openstack.connection.Connection(config=region)


def main(argv=None):
    return NimbusApp().run(sys.argv[1:] if argv is None else argv)
