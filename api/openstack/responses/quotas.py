"""Quota sets (show, detail, defaults, update) and quota classes (show,
update).

2.36 drops the proxied network quotas (fixed and floating IPs, security
groups and rules) from quota sets, 2.50 from quota classes (which gain
the server group quotas then); 2.57 drops the injected-file quotas.
"""

from nimbus.api.openstack.responses import types as t

Q = "/os-quota-sets/{project_id}"
_RESOURCES = ("instances", "cores", "ram", "floating_ips", "fixed_ips",
              "metadata_items", "key_pairs", "security_groups",
              "security_group_rules", "injected_files",
              "injected_file_content_bytes", "injected_file_path_bytes",
              "server_groups", "server_group_members")
_GONE = {36: ("fixed_ips", "floating_ips", "security_groups",
              "security_group_rules"),
         57: ("injected_files", "injected_file_content_bytes",
              "injected_file_path_bytes")}
_LIMIT = {"type": "integer", "minimum": -1}
_USAGE = t.obj({"in_use": _LIMIT, "limit": _LIMIT, "reserved": _LIMIT},
               required=("in_use", "limit", "reserved"))


def quota_set(minor, value=_LIMIT, with_id=True):
    names = [n for n in _RESOURCES
             if not any(minor >= since and n in gone
                        for since, gone in _GONE.items())]
    properties = dict.fromkeys(names, value)
    if with_id:
        properties["id"] = t.STRING
    return t.obj({"quota_set": t.obj(properties, required=properties)},
                 required=("quota_set",))


def _ranges(**kw):
    return [(first, last, quota_set(first, **kw))
            for first, last in ((1, 35), (36, 56), (57, None))]


_CLASS_BEFORE_2_50 = ("server_groups", "server_group_members")


def quota_class(minor, with_id=True):
    names = [n for n in _RESOURCES
             if not (minor >= 50 and n in _GONE[36]) and
             not (minor >= 57 and n in _GONE[57]) and
             not (minor < 50 and n in _CLASS_BEFORE_2_50)]
    properties = dict.fromkeys(names, _LIMIT)
    if with_id:
        properties["id"] = t.STRING
    return t.obj({"quota_class_set": t.obj(properties,
                                           required=properties)},
                 required=("quota_class_set",))


C = "/os-quota-class-sets/{class_name}"

SCHEMAS = {
    ("GET", C): [(first, last, quota_class(first))
                 for first, last in ((1, 49), (50, 56), (57, None))],
    ("PUT", C): [(first, last, quota_class(first, with_id=False))
                 for first, last in ((1, 49), (50, 56), (57, None))],
    ("GET", Q): _ranges(),
    ("GET", Q + "/defaults"): _ranges(),
    ("GET", Q + "/detail"): _ranges(value=_USAGE),
    ("PUT", Q): _ranges(with_id=False),
}
