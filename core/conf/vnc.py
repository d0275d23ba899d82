"""[vnc] options: the noVNC websocket proxy (``nimbus-novncproxy``)."""

from oslo_config import cfg

group = cfg.OptGroup("vnc", title="VNC remote consoles")

#: ``novncproxy_base_url`` when the operator sets none (nimbus-all then
#: points it at the proxy it started).
DEFAULT_BASE_URL = "http://127.0.0.1:6080/vnc_auto.html"

opts = [
    cfg.HostAddressOpt("novncproxy_host", default="127.0.0.1",
                       help="Address the noVNC websocket proxy listens on."),
    cfg.PortOpt("novncproxy_port", default=6080,
                help="""
Port of the noVNC websocket proxy (0: any free port, logged at
start-up; nimbus-all's default, and it builds console URLs with the
port it got unless ``novncproxy_base_url`` is set).
"""),
    cfg.URIOpt("novncproxy_base_url",
               default=DEFAULT_BASE_URL,
               help="""
Public URL of the proxy that remote console URLs are built from:
``?path=%3Ftoken%3D<token>`` is appended, the form noVNC's
``vnc_auto.html``/``vnc_lite.html`` read. Point it at where clients
reach nimbus-novncproxy (or the web server in front of it).
"""),
    cfg.StrOpt("novnc_web", default="/usr/share/novnc",
               help="""
Directory of the noVNC HTML client the proxy serves beside the
websocket (Debian's ``novnc`` package puts it here). When it does not
exist, the proxy serves the websocket alone.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
