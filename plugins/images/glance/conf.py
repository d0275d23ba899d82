"""[glance] options of the Glance image plugin."""

from oslo_config import cfg

group = cfg.OptGroup("glance", title="Glance image plugin options", help="""
With ``[images] backend = glance`` image records and data live in an
existing Glance. nimbus reaches it with the service credentials of
``[keystone_authtoken]`` (the user nimbus validates tokens with), which
need Glance's admin role: nimbus acts for its users and keeps the image
contract's visibility rules itself.
""")

opts = [
    cfg.URIOpt("endpoint", schemes=["http", "https"],
               help="""
Glance's base URL (``https://glance.example.org:9292``). When unset, the
``image`` endpoint of the service catalog nimbus's service token carries
(``region_name``, ``interface``).
"""),
    cfg.StrOpt("region_name",
               help="Region of the catalog's ``image`` endpoint (any when "
                    "unset)."),
    cfg.StrOpt("interface", default="public",
               choices=[("public", "the endpoint users reach"),
                        ("internal", "the endpoint inside the cloud"),
                        ("admin", "the administrative endpoint")],
               help="Which of the catalog's ``image`` endpoints to use."),
    cfg.IntOpt("timeout", default=60, min=1,
               help="Seconds to wait for Glance to answer a request."),
    cfg.StrOpt("cache_dir", default="$state_path/glance-cache",
               help="""
Directory on each compute host holding the images its guests boot from,
downloaded from Glance once (checked against Glance's ``os_hash_value``,
or ``checksum``) and kept: image data in Glance never changes. Remove
files to reclaim space; they are fetched again when needed.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return [(group, opts)]
