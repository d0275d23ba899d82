"""Default data for the embedded deployment: flavors (Nova's classic
sizes plus a tiny one) when the flavor table is empty."""

from nimbus.core.db import api as db_api

DEFAULT_FLAVORS = (
    # flavorid, name, vcpus, memory_mb, root_gb
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "m1.xlarge", 8, 16384, 160),
    ("6", "m1.nano", 1, 128, 1),
)


def seed_flavors(context):
    """Create the default flavors if there are none; return how many."""
    if db_api.flavors.count(context):
        return 0
    for flavorid, name, vcpus, memory_mb, root_gb in DEFAULT_FLAVORS:
        db_api.flavors.create(context, {
            "flavorid": flavorid, "name": name, "vcpus": vcpus,
            "memory_mb": memory_mb, "root_gb": root_gb})
    return len(DEFAULT_FLAVORS)
