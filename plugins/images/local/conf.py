"""[local_images] options of the local image plugin."""

from oslo_config import cfg

group = cfg.OptGroup("local_images", title="Local image store options")

opts = [
    cfg.StrOpt("path", default="$state_path/images",
               help="""
Directory holding the images: ``<id>.json`` (metadata) and ``<id>.data``.
On several hosts it must be shared (NFS) or synchronised.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return [(group, opts)]
