"""What a server's sub-resources answer: metadata, addresses by network,
tags (2.26) and the NUMA topology (2.78). No microversion changes these
bodies."""

from nimbus.api.openstack.responses import types as t

S = "/servers/{server_id}"

_METADATA = {"type": "object", "additionalProperties": False,
             "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {
                 "type": ["string", "null"], "maxLength": 255}}}
_META = dict(_METADATA, minProperties=1, maxProperties=1)
_ALL = t.obj({"metadata": _METADATA}, required=("metadata",))
_ONE = t.obj({"meta": _META}, required=("meta",))
_NETWORKS = {"type": "object", "additionalProperties": False,
             "patternProperties": {"^.+$": t.array(t.obj(
                 {"addr": t.STRING, "version": {"enum": [4, 6]}},
                 required=("addr", "version")))}}
_TAGS = t.obj({"tags": t.array(t.STRING, maxItems=50)}, required=("tags",))
_INTS = t.array(t.INTEGER)
_TOPOLOGY = t.obj({
    "nodes": t.array(t.obj(
        {"vcpu_set": _INTS, "siblings": t.array(_INTS),
         "memory_mb": t.INTEGER,
         # for those the topology's host policy lets see them
         "host_node": t.INTEGER,
         "cpu_pinning": {"type": "object", "additionalProperties": {
             "type": "integer"}}},
        required=("vcpu_set", "siblings", "memory_mb"))),
    "pagesize_kb": {"type": ["integer", "null"]}},
    required=("nodes", "pagesize_kb"))

SCHEMAS = {
    ("GET", S + "/metadata"): [(1, None, _ALL)],
    ("POST", S + "/metadata"): [(1, None, _ALL)],
    ("PUT", S + "/metadata"): [(1, None, _ALL)],
    ("GET", S + "/metadata/{key}"): [(1, None, _ONE)],
    ("PUT", S + "/metadata/{key}"): [(1, None, _ONE)],
    ("GET", S + "/ips"): [(1, None, t.obj({"addresses": _NETWORKS},
                                          required=("addresses",)))],
    ("GET", S + "/ips/{network}"): [(1, None, _NETWORKS)],
    ("GET", S + "/tags"): [(26, None, _TAGS)],
    ("PUT", S + "/tags"): [(26, None, _TAGS)],
    ("GET", S + "/topology"): [(78, None, _TOPOLOGY)],
}
