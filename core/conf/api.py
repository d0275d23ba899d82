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
