"""Process set-up shared by every nimbus daemon (no database here)."""

import sys

from oslo_config import cfg
from oslo_log import log as logging
from oslo_messaging import transport as messaging_transport

from nimbus.core import conf as nimbus_conf
from nimbus.core import exception, objects, rpc

CONF = nimbus_conf.CONF
LOG = logging.getLogger(__name__)

_STATE = {"logging": False}


def parse_config(argv, binary, default_config_files=None,
                 transport_url=None):
    """Parse the command line and config files, set up logging and RPC.

    :param transport_url: default ``transport_url`` when the configuration
        sets none (nimbus-all uses ``fake://``).
    """
    if not _STATE["logging"]:
        logging.register_options(CONF)
        # NOTE: oslo.messaging registers transport_url only when a
        # transport is built; register it now so a default can be set.
        CONF.register_opts(messaging_transport._transport_opts)
        _STATE["logging"] = True
    if transport_url:
        CONF.set_default("transport_url", transport_url)
    CONF(argv, project="nimbus", prog=binary,
         default_config_files=default_config_files)
    logging.setup(CONF, "nimbus")
    objects.register_all()
    rpc.init(CONF)
    return CONF


def run(binary, main):
    """Run ``main()``; turn configuration and plugin errors into one line
    on stderr and exit status 2 instead of a traceback."""
    try:
        return main()
    except (exception.PluginNotFound, exception.PluginLoadFailed,
            exception.ConfigError, cfg.Error) as err:
        print(f"{binary}: {err}", file=sys.stderr)
        return 2


def forbid_database(binary):
    """For compute: route remotable object calls through conductor and make
    any direct database access raise :class:`DBNotAllowed` naming
    ``binary`` (``NimbusObject.db_api`` stays ``None``)."""
    from nimbus.core import context as nimbus_context
    from nimbus.core.conductor import rpcapi as conductor_rpcapi
    from nimbus.core.objects import base as objects_base
    objects_base.NimbusObject.db_api = None
    objects_base.NimbusObject.process_name = binary
    conductor = conductor_rpcapi.ConductorAPI()
    conductor.wait_until_ready(nimbus_context.get_admin_context())
    objects_base.NimbusObject.indirection_api = conductor
