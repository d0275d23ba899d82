"""Process set-up shared by every nimbus daemon (no database here)."""

import faulthandler
import signal
import socket
import sys
import time

import oslo_messaging as messaging
from oslo_config import cfg
from oslo_log import log as logging
from oslo_messaging import transport as messaging_transport

from nimbus.core import conf as nimbus_conf
from nimbus.core import exception, notifications, objects, rpc

CONF = nimbus_conf.CONF
LOG = logging.getLogger(__name__)

_STATE = {"logging": False}


def parse_config(argv, binary, default_config_files=None,
                 transport_url=None):
    """Parse the command line and config files, set up logging and RPC.

    :param transport_url: default ``transport_url`` when the configuration
        sets none (nimbus-all uses ``local://``).
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
    notifications.init(binary)
    return CONF


#: The signal on which a daemon prints every thread's stack to stderr.
STACK_DUMP_SIGNAL = signal.SIGUSR2


def run(binary, main):
    """Run ``main()``; turn configuration and plugin errors into one line
    on stderr and exit status 2 instead of a traceback.

    From the start, :data:`STACK_DUMP_SIGNAL` prints the stack of every
    thread to stderr and the daemon carries on: ``kill -USR2 <pid>``
    shows where a hung service waits. :mod:`faulthandler` writes them
    from its C signal handler, so this works even when no Python code
    can run (a thread holding the GIL in a blocking call).
    """
    faulthandler.register(STACK_DUMP_SIGNAL, all_threads=True)
    try:
        return main()
    except (exception.PluginNotFound, exception.PluginLoadFailed,
            exception.ConfigError, cfg.Error) as err:
        print(f"{binary}: {err}", file=sys.stderr)
        return 2


#: the port of a transport URL host that names none, by URL scheme.
_DEFAULT_PORTS = {"rabbit": 5672, "amqp": 5672, "kombu": 5672,
                  "qpid": 5672, "amqp1": 5672}


def wait_for_broker(conf, sleep=time.sleep, clock=time.monotonic):
    """Wait up to ``broker_startup_timeout`` seconds until one host of
    ``transport_url`` accepts a TCP connection.

    oslo.messaging retries a broker that is away forever, logging each
    attempt; at start-up that hides a wrong URL behind endless errors.

    :raises ConfigError: no host answered in time (one line, password
        hidden).
    """
    deadline = clock() + conf.broker_startup_timeout
    # A private ConfigOpts: parsing registers options on the one it gets.
    url = messaging.TransportURL.parse(cfg.ConfigOpts(), conf.transport_url)
    port = _DEFAULT_PORTS.get(url.transport.split("+")[0] if url.transport
                              else "")
    hosts = [(h.hostname, h.port or port) for h in url.hosts
             if h.hostname and (h.port or port)]
    if not hosts or conf.broker_startup_timeout == 0:
        return
    while True:
        errors = []
        for host, port_ in hosts:
            try:
                socket.create_connection((host, port_), timeout=2).close()
                return
            except OSError as err:
                errors.append(f"{host}:{port_}: {err.strerror or err}")
        if clock() >= deadline:
            raise exception.ConfigError(reason=(
                f"cannot reach the message broker of transport_url "
                f"{_hide_password(url)} within {conf.broker_startup_timeout}"
                f" s ({'; '.join(errors)})"))
        sleep(1)


def _hide_password(url):
    hosts = ",".join(
        f"{h.username + ':***@' if h.username else ''}{h.hostname}"
        f"{':' + str(h.port) if h.port else ''}" for h in url.hosts)
    return f"{url.transport}://{hosts}/{url.virtual_host or ''}"


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
