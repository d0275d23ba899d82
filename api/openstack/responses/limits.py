"""``GET /limits``: absolute limits and (always empty) rate limits.

2.36 drops the proxied network limits (security groups, rules,
floating IPs), 2.39 ``maxImageMeta``, 2.57 the personality limits.
"""

from nimbus.api.openstack.responses import types as t

_QUOTA = {"type": "integer", "minimum": -1}
_ABSOLUTE = t.obj({name: _QUOTA for name in (
    "maxImageMeta", "maxPersonality", "maxPersonalitySize",
    "maxSecurityGroups", "maxSecurityGroupRules", "maxServerMeta",
    "maxServerGroups", "maxServerGroupMembers", "maxTotalCores",
    "maxTotalFloatingIps", "maxTotalInstances", "maxTotalKeypairs",
    "maxTotalRAMSize", "totalCoresUsed", "totalFloatingIpsUsed",
    "totalInstancesUsed", "totalRAMUsed", "totalSecurityGroupsUsed",
    "totalServerGroupsUsed")})
_ABSOLUTE["required"] = sorted(_ABSOLUTE["properties"])

_GONE = {36: ("maxSecurityGroups", "maxSecurityGroupRules",
              "maxTotalFloatingIps", "totalFloatingIpsUsed",
              "totalSecurityGroupsUsed"),
         39: ("maxImageMeta",),
         57: ("maxPersonality", "maxPersonalitySize")}


def limits(minor):
    absolute = _ABSOLUTE
    for since, keys in _GONE.items():
        if minor >= since:
            absolute = t.evolve(absolute, drop=keys)
    return t.obj({"limits": t.obj(
        {"absolute": absolute,
         "rate": {"type": "array", "maxItems": 0}},
        required=("absolute", "rate"))}, required=("limits",))


SCHEMAS = {
    ("GET", "/limits"): [(1, 35, limits(1)), (36, 38, limits(36)),
                         (39, 56, limits(39)), (57, None, limits(57))],
}
