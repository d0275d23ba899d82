"""[metrics] options: the Prometheus endpoint each service serves."""

from oslo_config import cfg

group = cfg.OptGroup("metrics", title="Prometheus metrics")

opts = [
    cfg.BoolOpt("enabled", default=False,
                help="""
Serve Prometheus metrics (``GET /metrics``) from this process: RPC calls
and latencies per method, API requests per route and status, scheduler
decisions and filter rejections, builds per outcome, service up/down,
host CPU load and (conductor) queue depths. Off by default; nimbus-all
turns it on.
"""),
    cfg.HostAddressOpt("bind_host", default="127.0.0.1",
                       help="Address the metrics endpoint listens on."),
    cfg.PortOpt("port", default=9640,
                help="""
Port of the metrics endpoint. Every process on a host needs its own
(0: any free port, logged at start-up).
"""),
    cfg.IntOpt("poll_interval", default=10, min=1,
               help="""
Seconds between the conductor's samples of service states and queue
depths (a passive declare on the broker per service topic).
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
