"""[ec2] options: the EC2 Query API dialect."""

from oslo_config import cfg

group = cfg.OptGroup("ec2", title="EC2 Query API options")

opts = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1",
                       help="Address the EC2 API server listens on."),
    cfg.PortOpt("bind_port", default=8788,
                help="""
TCP port of the EC2 API server, serving the Query API at ``/`` (run by
nimbus-api and nimbus-all when ``ec2`` is in ``[api] enabled_dialects``;
nimbus-all enables it by default). ``0`` picks a free port.
"""),
    cfg.StrOpt("region_name", default="RegionOne",
               help="""
The region clients name (``region_name`` in boto3, ``--region`` in the
AWS CLI): the only region DescribeRegions lists, and the region a SigV4
credential scope must name.
"""),
    cfg.IntOpt("auth_ttl", default=900, min=1,
               help="""
Seconds a signed request stays valid: a request whose timestamp is
further than this from the server's clock is refused with
``RequestExpired``, and a signature is accepted only once within it.
"""),
    cfg.IntOpt("terminated_visible_seconds", default=3600, min=0,
               help="""
How long a terminated instance stays listed by DescribeInstances (as
``terminated``), as on AWS, so waiters and scripts see it finish.
"""),
    cfg.IntOpt("resize_wait_seconds", default=60, min=0,
               help="""
How long ModifyInstanceAttribute (instanceType) waits for the compute to
finish resizing a stopped instance before it confirms the resize (AWS
changes the type in one call). When the compute is slower, the resize is
left for ``[compute] resize_confirm_window`` or a manual confirm.
"""),
    cfg.StrOpt("keystone_ec2tokens_url",
               help="""
With ``[api] auth_strategy = keystone``: the URL of Keystone's
``/v3/ec2tokens`` that validates signed requests (e.g.
``http://keystone:5000/v3/ec2tokens``). Unset: derived from
``[keystone_authtoken] www_authenticate_uri``.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
