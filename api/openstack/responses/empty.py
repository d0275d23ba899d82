"""The answers Nova sends without a body (202s, 204s, a 200 and a
201): their schema is :data:`~nimbus.api.openstack.responses.types.NO_BODY`,
so a body appearing there fails the check."""

from nimbus.api.openstack.responses import types as t

S = "/servers/{server_id}"
#: the nova-network proxies' last microversion (a 404 from 2.36).
PROXY_LAST = 35

_SINCE = {
    # 2.26: tags
    ("DELETE", S + "/tags"): 26,
    ("DELETE", S + "/tags/{tag}"): 26,
    ("GET", S + "/tags/{tag}"): 26,
    ("PUT", S + "/tags/{tag}"): 26,
    # 2.81: cache images on an aggregate's hosts (202)
    ("POST", "/os-aggregates/{aggregate_id}/images"): 81,
}
_UNTIL = {
    ("DELETE", "/os-security-groups/{security_group_id}"): PROXY_LAST,
    ("DELETE", "/os-security-group-rules/{rule_id}"): PROXY_LAST,
}
_ROUTES = (
    ("DELETE", "/flavors/{flavor_id}"),                      # 202
    ("DELETE", "/flavors/{flavor_id}/os-extra_specs/{key}"),  # 200
    ("DELETE", "/os-keypairs/{name}"),                       # 202; 204 2.2
    ("DELETE", "/os-quota-sets/{project_id}"),               # 202
    ("DELETE", "/os-server-groups/{server_group_id}"),        # 204
    ("DELETE", "/os-aggregates/{aggregate_id}"),              # 200
    ("DELETE", "/os-services/{service_id}"),                 # 204
    ("DELETE", S),                                           # 204
    ("DELETE", S + "/metadata/{key}"),                       # 204
    ("DELETE", S + "/os-server-password"),                   # 204
    ("DELETE", S + "/os-interface/{port_id}"),               # 202
    ("DELETE", S + "/os-volume_attachments/{volume_id}"),    # 202
    # 202: swap the volume (to 2.84), delete_on_termination (2.85)
    ("PUT", S + "/os-volume_attachments/{volume_id}"),
    # tags: 204 (PUT: 201 or 204)
    *_SINCE,
    *_UNTIL,                                                 # 202
)

SCHEMAS = {key: [(_SINCE.get(key, 1), _UNTIL.get(key), t.NO_BODY)]
           for key in _ROUTES}
