"""[security_compliance] options: locking out repeated failed password
logins (Keystone's options of the same names)."""

from oslo_config import cfg

group = cfg.OptGroup("security_compliance",
                     title="Security compliance options")

opts = [
    cfg.IntOpt("lockout_failure_attempts", default=0, min=0,
               help="""
Failed password logins after which a user's password logins are refused
(401, the right password included) for ``lockout_duration`` seconds. A
successful login resets the count. The count is kept in the database, so
every API process of a deployment shares it. Token and EC2 signature
authentication are not affected.

Possible values:

* 0: never lock a user out (the default, as in Keystone).
* N > 0: lock out after N failures.

Related options:

* ``lockout_duration``
"""),
    cfg.IntOpt("lockout_duration", default=1800, min=1,
               help="""
Seconds a locked-out user's password logins stay refused, counted from
the last failure. Failures further apart than this do not add up.

Related options:

* ``lockout_failure_attempts`` (0 turns the lockout off)
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
