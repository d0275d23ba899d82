"""[conductor] options: build and move workflows."""

from oslo_config import cfg

group = cfg.OptGroup("conductor", title="Conductor service options")

opts = [
    cfg.IntOpt("max_build_attempts", default=3, min=1,
               help="""
Hosts one build may be tried on: the first choice plus alternates after
retryable build failures. 1 disables rescheduling.
"""),
    cfg.IntOpt("move_step_timeout", default=600, min=1,
               help="""
Seconds one step of a move (a compute's part of a resize or cold
migration: sending the disks, starting the guest on the target) may
take before conductor gives up on it and rolls the move back. A move
whose record has not changed for twice this long was abandoned by a
conductor that stopped; a conductor finishes or rolls it back.
"""),
    cfg.IntOpt("move_recovery_interval", default=60, min=1,
               help="""
Seconds between two looks for abandoned moves and for finished resizes
past ``[compute] resize_confirm_window``.
"""),
    cfg.IntOpt("task_state_timeout", default=600, min=1,
               help="""
Seconds an instance may keep one task state unchanged before conductor
treats its work as abandoned (docs/reliability.md): a build still
``scheduling`` (conductor or scheduler stopped) ends in ERROR with a
fault and its claim released. On a host whose compute service is down,
a build ends the same way, a delete is finished, and other work ends in
ERROR with a fault. On a host whose compute is up, that compute settles
task states none of its threads is working on any more (a lost reply or
cast) the way it does at start-up. Moves are left to
``move_step_timeout``.
"""),
    cfg.IntOpt("task_state_check_interval", default=60, min=1,
               help="""
Seconds between two looks for instances past ``task_state_timeout``
(by conductor, and by each compute for its own host).
"""),
    cfg.IntOpt("precache_concurrency", default=1, min=1,
               help="""
How many compute hosts copy images into their cache at once when an
administrator asks an aggregate to pre-cache images (Compute API 2.81).
Each host copies its images one after the other; more hosts at once
finish sooner but load the image store more.
"""),
    cfg.IntOpt("database_outage_wait", default=60, min=0,
               help="""
Seconds a service without database access (compute) keeps retrying a
record read or write that conductor could not make because the database
did not answer (a PostgreSQL restart), before the work fails as if the
write had. 0 does not retry.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
