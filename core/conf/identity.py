"""[identity] options: the Identity v3 subset nimbus serves itself."""

from oslo_config import cfg

group = cfg.OptGroup("identity", title="Built-in identity options")

opts = [
    cfg.IntOpt("token_expiration", default=3600, min=60,
               help="Seconds a token stays valid after it is issued."),
    cfg.StrOpt("key_repository",
               help="""
Directory holding the Fernet keys tokens are encrypted with (created on
first start, mode 0700). Every API process of one deployment must share
it. Defaults to ``$state_path/fernet-keys``.
"""),
    cfg.IntOpt("token_cache_time", default=5, min=0,
               help="""
Seconds an API process remembers a validated token before checking the
database again (revocations and role changes made elsewhere take at most
this long to apply; a revocation made through this process applies at
once). 0 disables the cache.
"""),
    cfg.StrOpt("region", default="RegionOne",
               help="Region named in the service catalog."),
    cfg.IntOpt("bcrypt_rounds", default=12, min=4, max=31,
               help="bcrypt cost factor (log2 rounds) for new passwords."),
    cfg.StrOpt("admin_password", secret=True,
               help="""
Password of the ``admin`` user that nimbus-all bootstraps. When unset, a
random one is generated on first start and kept in
``$state_path/admin-password`` (mode 0600) and in the clouds.yaml
nimbus-all writes.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
