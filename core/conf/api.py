"""[api] options: where the API listens and how it authenticates."""

from oslo_config import cfg

group = cfg.OptGroup("api", title="API service options")

opts = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1",
                       help="Address the API server listens on."),
    cfg.PortOpt("bind_port", default=8774,
                help="TCP port the API server listens on."),
    cfg.IntOpt("threads", default=16, min=1,
               help="Worker threads of the API's WSGI server."),
    cfg.StrOpt("auth_strategy", default="nimbus",
               choices=[("nimbus", "tokens from nimbus's own Identity v3 "
                         "subset (the identity dialect)"),
                        ("keystone", "keystonemiddleware validates tokens "
                         "against a Keystone ([keystone_authtoken])"),
                        ("noauth2", "development only: the token is "
                         "'user:project', user 'admin' is an admin")],
               help="How API requests are authenticated."),
    cfg.ListOpt("enabled_dialects",
                default=["openstack", "identity", "image", "network",
                         "volume"],
                help="""
API dialects to serve (entry points in ``nimbus.api.dialects``).

Possible values:

* ``openstack``: the OpenStack Compute API v2.1.
* ``identity``: an Identity v3 subset (tokens, projects, users, roles)
  at ``/identity``, for ``auth_strategy = nimbus``.
* ``image``: an Image v2 subset over the image plugin, at ``/image``.
* ``network``: a Networking v2 subset (Neutron's API) over nimbus-network,
  at ``/network`` (in the catalog as ``network``).
* ``volume``: a Block Storage v3 subset over nimbus-volume, at
  ``/volume`` (in the catalog as ``block-storage`` and ``volumev3``).
"""),
    cfg.IntOpt("max_limit", default=1000, min=1,
               help="Largest number of items one list request returns."),
    cfg.IntOpt("max_request_body_size", default=114688, min=1024,
               help="Largest request body, in bytes, the API accepts."),
    cfg.IntOpt("rpc_send_retries", default=2, min=0,
               help="""
How many times the API reconnects to the message broker to send one
message before it gives up and answers 503 Service Unavailable (with
``Retry-After``): each attempt waits as ``[oslo_messaging_rabbit]
rabbit_retry_interval`` and ``rabbit_retry_backoff`` say. 0 gives up at
the first connection error (even on a connection the broker closed when
it restarted, though it is back). Services other than the API always
wait for the broker.

Related options:

* ``retry_after``
"""),
    cfg.IntOpt("retry_after", default=10, min=0,
               help="""
Seconds the ``Retry-After`` header of a 503 Service Unavailable asks a
client to wait (the database or the message broker did not answer).
"""),
    cfg.StrOpt("response_validation", default="ignore",
               choices=[("error", "answer 500 Internal Server Error with "
                         "the mismatch (for tests)"),
                        ("warn", "log one WARNING line per mismatching "
                         "answer and send it unchanged"),
                        ("ignore", "do not check answers")],
               help="""
What the Compute API does when a successful answer does not match the
JSON schema Nova's API reference gives for its route and microversion
(a key too many or missing). Routes without a schema are not checked
(docs/api.md lists the covered ones). Checking costs CPU on every answer,
in proportion to its size (a page of a thousand servers is a thousand
checked objects), so it is off unless asked for: ``warn`` on a staging
deployment, ``error`` in tests.
"""),
    cfg.StrOpt("public_endpoint",
               help="""
Base URL clients should use for this API (for links in responses). When
unset, the URL of the request is used.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
