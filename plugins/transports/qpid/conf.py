"""``[oslo_messaging_qpid]``: options of the AMQP 1.0 transport.

The transport URL carries hosts, credentials and the virtual host
(``qpid://user:pass@host1:5672,user:pass@host2:5672/vhost``); everything
else is here. The driver registers these options itself on the
configuration oslo.messaging hands it, like oslo.messaging's own drivers.
"""

from oslo_config import cfg

from nimbus.plugins.transports.qpid import addressing

group = cfg.OptGroup("oslo_messaging_qpid",
                     title="AMQP 1.0 (qpid:// and amqp1://) transport")

_TEMPLATE_HELP = ("Override the {kind} address template of the chosen "
                  "addressing profile (see docs/transport.md).")

opts = [
    cfg.StrOpt("addressing", default="rabbitmq",
               choices=sorted(addressing.PROFILES),
               help="""
Address conventions of the broker: ``rabbitmq`` (the rabbitmq_amqp1_0
plugin: /queue/NAME, /exchange/X/KEY, vhost in the open frame),
``activemq`` or ``artemis`` (queue://NAME, topic://NAME), ``qpid`` (plain
names, for qpidd with auto-create patterns or a Qpid Dispatch router).
"""),
    *[cfg.StrOpt(f"{kind}_address", help=_TEMPLATE_HELP.format(kind=kind))
      for kind in addressing.KINDS],
    cfg.BoolOpt("durable_queues", default=True, help="""
Declare the RPC and notification queues durable and send casts and
notifications as durable messages, so that they survive a broker restart.
Calls and replies are always sent non-durable (their caller times out
anyway). RabbitMQ refuses a link whose durability differs from an existing
queue's: change this only together with deleting the queues.
"""),
    cfg.IntOpt("prefetch", default=64, min=1, help="""
Messages the broker may deliver ahead on each consuming link (AMQP link
credit). Unacknowledged ones go back to the queue if the process dies.
"""),
    cfg.FloatOpt("connection_retry_interval", default=0.5, min=0.05, help="""
Seconds before the first reconnection attempt after the broker connection
is lost; doubled after each failed attempt up to
connection_retry_interval_max. Each attempt moves to the next host of the
transport URL.
"""),
    cfg.FloatOpt("connection_retry_interval_max", default=8.0, min=0.1,
                 help="Upper bound of the reconnection back-off, seconds."),
    cfg.FloatOpt("connect_timeout", default=10.0, min=0.1, help="""
Seconds a connection attempt (TCP, TLS, SASL and AMQP open) may take.
"""),
    cfg.IntOpt("idle_timeout", default=16, min=0, help="""
AMQP idle time-out in seconds advertised to the broker; heartbeats are
sent at half of it and a silent broker is declared gone after it.
0 disables it.
"""),
    cfg.BoolOpt("ssl", default=False, help="""
Connect with TLS (also enabled by ``?ssl=1`` in the transport URL). The
default port becomes 5671.
"""),
    cfg.StrOpt("ssl_ca_file", help="CA bundle to verify the broker with."),
    cfg.StrOpt("ssl_cert_file", help="Client certificate (PEM), if the "
               "broker asks for one."),
    cfg.StrOpt("ssl_key_file", help="Private key of ssl_cert_file (PEM)."),
    cfg.StrOpt("ssl_key_password", secret=True,
               help="Password of ssl_key_file, if any."),
    cfg.BoolOpt("ssl_verify_hostname", default=True, help="""
Check that the broker certificate names the host connected to (otherwise
only that it is signed by ssl_ca_file).
"""),
    cfg.StrOpt("sasl_mechanisms", default="PLAIN ANONYMOUS", help="""
Space-separated SASL mechanisms the client may use. With credentials in
the URL, PLAIN is used; without, ANONYMOUS.
"""),
    cfg.BoolOpt("sasl_allow_insecure", default=True, help="""
Allow mechanisms that send the password in clear text (PLAIN) over a
connection without TLS. Turn off when the broker is reached over an
untrusted network and TLS is on.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return [(group, opts)]
