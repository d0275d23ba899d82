"""[volume_tgt] options of the tgt iSCSI target."""

from oslo_config import cfg

group = cfg.OptGroup("volume_tgt", title="tgt iSCSI target options")

opts = [
    cfg.StrOpt("portal_address", default="127.0.0.1",
               help="""
Address compute hosts reach this host's tgtd at (the iSCSI portal in
connection info). tgtd itself listens where its own ``--iscsi portal=``
says.
"""),
    cfg.PortOpt("portal_port", default=3260,
                help="TCP port of the iSCSI portal."),
    cfg.IntOpt("control_port", default=0, min=0, max=65535,
               help="""
tgtd's control port (``tgtd -C``, ``tgtadm -C``) to manage; 0: tgtd's
default. Lets several tgtd instances (tests, several volume hosts on one
machine) run side by side.
"""),
    cfg.StrOpt("iqn_prefix", default="iqn.2010-10.org.nimbus:",
               help="Target names are ``<prefix>volume-<volume id>``."),
    cfg.BoolOpt("chap", default=True,
                help="""
Protect every target with CHAP credentials of its own (generated per
volume, handed to the compute in the connection info). Without CHAP any
initiator that reaches the portal can read the volume.
"""),
    cfg.StrOpt("initiator_address", default="ALL",
               help="""
Initiator addresses each target accepts (``tgtadm --initiator-address``):
``ALL`` or one IP address. CHAP is what keeps other initiators out.
"""),
]


def register_opts(conf):
    # A group object of its own per ConfigOpts: an OptGroup holds its
    # options' overrides, so sharing one would leak them between configs.
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]
