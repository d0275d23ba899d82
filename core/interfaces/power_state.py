"""Power states as the hypervisor reports them (the hypervisor is always
authoritative). Numeric values follow Nova's, so API fields such as
``OS-EXT-STS:power_state`` mean the same thing.

Part of the plugin surface: hypervisor plugins report these values in
``GuestInfo.power_state`` and the compute manager acts on them.
"""

NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED = 7

NAMES = {
    NOSTATE: "pending",
    RUNNING: "running",
    PAUSED: "paused",
    SHUTDOWN: "shutdown",
    CRASHED: "crashed",
    SUSPENDED: "suspended",
}
