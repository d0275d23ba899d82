"""[DEFAULT] options: identity of this host, where state lives, liveness."""

import os
import socket

from oslo_config import cfg
from oslo_utils import netutils


def _default_state_path():
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "nimbus")


opts = [
    cfg.StrOpt("host", default=socket.gethostname(),
               sample_default="<hostname>",
               help="""
Name of this node. Compute services use it as their RPC server name
(topic ``compute.<host>``) and as the host instances are placed on.

Possible values:

* Any string unique among the services of one deployment.
"""),
    cfg.IPOpt("my_ip", default=netutils.get_my_ipv4(),
              sample_default="<host_ipv4>",
              help="""
IP address of this host. A compute gives it to the volume service in its
connector (``ip``), next to its initiator name.

The default is the address of the interface the host's default route
leaves by (found without sending anything), or ``127.0.0.1`` when there
is none.
"""),
    cfg.StrOpt("state_path", default=_default_state_path(),
               sample_default="~/.local/share/nimbus",
               help="""
Directory where nimbus keeps its data: the embedded SQLite database, the
local image store, the fake hypervisor's guests and generated clouds.yaml.

Related options:

* ``[database] connection`` defaults to a SQLite file here when unset.
"""),
    cfg.IntOpt("report_interval", default=10, min=1,
               help="""
Seconds between service heartbeats. A service that misses its heartbeats
for ``service_down_time`` seconds is reported down and not scheduled to.
"""),
    cfg.IntOpt("service_down_time", default=60, min=1,
               help="""
Seconds since the last heartbeat after which a service is considered down.

Related options:

* Must be larger than ``report_interval``.
"""),
    cfg.IntOpt("graceful_shutdown_timeout", default=60, min=0,
               help="""
Seconds a stopping service (SIGTERM or SIGINT) waits for the requests it
is handling (a build, a migration step) to finish before it ends anyway;
0 waits however long they take. A periodic task still running is waited
for 2 seconds at most: the next start runs it again.
"""),
    cfg.IntOpt("periodic_interval", default=60, min=1,
               help="Default seconds between runs of periodic tasks."),
    cfg.IntOpt("broker_startup_timeout", default=60, min=0,
               help="""
Seconds a starting service waits for one host of ``transport_url`` to
accept a connection before it exits with one line naming the option. Once
running, services reconnect to the broker by themselves, however long it
is away. 0 skips the check.
"""),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {"DEFAULT": opts}
