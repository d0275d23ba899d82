"""Server group bodies: create, list and show.

``project_id`` and ``user_id`` from 2.13, the soft policies from 2.15;
2.64 replaces ``policies`` and ``metadata`` with ``policy`` and
``rules``, so the last range ends at 2.63.
"""

from nimbus.api.openstack.responses import types as t

LAST = 63

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
    return body


def _one(minor):
    return t.obj({"server_group": group(minor)}, required=("server_group",))


def _list(minor):
    return t.obj({"server_groups": t.array(group(minor))},
                 required=("server_groups",))


def _ranges(build):
    return [(1, 12, build(1)), (13, 14, build(13)), (15, LAST, build(15))]


SCHEMAS = {
    ("GET", "/os-server-groups"): _ranges(_list),
    ("POST", "/os-server-groups"): _ranges(_one),
    ("GET", "/os-server-groups/{server_group_id}"): _ranges(_one),
}
