"""Server group bodies: create, list and show.

``project_id`` and ``user_id`` from 2.13, the soft policies from 2.15;
2.64 replaces ``policies`` and ``metadata`` with ``policy`` and
``rules`` (``max_server_per_host``, anti-affinity only), the last change.
"""

from nimbus.api.openstack.responses import types as t

_POLICIES = ["affinity", "anti-affinity"]
_SOFT = ["soft-affinity", "soft-anti-affinity"]


def group(minor):
    policies = _POLICIES + (_SOFT if minor >= 15 else [])
    body = t.obj({
        "id": t.STRING, "name": t.STRING,
        "members": t.array(t.STRING),
        # always empty
        "metadata": t.obj({}),
        "policies": t.array({"enum": policies}, maxItems=1),
    }, required=("id", "name", "members", "metadata", "policies"))
    if minor >= 13:
        body = t.evolve(body, add={"project_id": t.STRING,
                                   "user_id": t.STRING},
                        require=("project_id", "user_id"))
    if minor >= 64:
        body = t.evolve(body, drop=("metadata", "policies"), add={
            "policy": {"enum": policies},
            "rules": t.obj({"max_server_per_host": {
                "type": "integer", "minimum": 1}})},
            require=("policy", "rules"))
    return body


def _one(minor):
    return t.obj({"server_group": group(minor)}, required=("server_group",))


def _list(minor):
    return t.obj({"server_groups": t.array(group(minor))},
                 required=("server_groups",))


def _ranges(build):
    return [(1, 12, build(1)), (13, 14, build(13)), (15, 63, build(15)),
            (64, None, build(64))]


SCHEMAS = {
    ("GET", "/os-server-groups"): _ranges(_list),
    ("POST", "/os-server-groups"): _ranges(_one),
    ("GET", "/os-server-groups/{server_group_id}"): _ranges(_one),
}
