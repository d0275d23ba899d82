"""The policy matrix's rows of the 2.53 forms of os-services and
os-hypervisors (services and compute nodes by UUID, the hypervisor
search as query parameters): admin only, as their lower forms."""

from tests.functional.api.policy_matrix import ADMIN_ONLY, Row, codes

V253 = {"OpenStack-API-Version": "compute 2.53"}


def _retired_service(env, who):
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    row = db_api.services.create(context.get_admin_context(), {
        "host": env.unique("retired"), "binary": "nimbus-scheduler"})
    return {"service_uuid": row["uuid"]}


def ids(env):
    """The UUIDs the rows name: fake-2's compute service, a node."""
    compute, = env.call("admin", "GET", "/v2.1/os-services", headers=V253,
                        query={"binary": "nova-compute",
                               "host": "fake-2"})["services"]
    node = env.call("admin", "GET", "/v2.1/os-hypervisors",
                    headers=V253)["hypervisors"][0]
    return {"compute_uuid": compute["id"], "hypervisor_uuid": node["id"]}


def rows():
    return [
        Row("PUT", "/v2.1/os-services/{compute_uuid}", ADMIN_ONLY,
            {"status": "enabled"}, headers=V253),
        Row("DELETE", "/v2.1/os-services/{service_uuid}",
            codes(204, 403, 403, 403), fresh=_retired_service,
            headers=V253),
        Row("GET", "/v2.1/os-hypervisors", ADMIN_ONLY, headers=V253,
            query={"hypervisor_hostname_pattern": "fake",
                   "with_servers": "true"}),
        Row("GET", "/v2.1/os-hypervisors/detail", ADMIN_ONLY,
            headers=V253, query={"with_servers": "true"}),
        Row("GET", "/v2.1/os-hypervisors/{hypervisor_uuid}", ADMIN_ONLY,
            headers=V253, query={"with_servers": "true"}),
        Row("GET", "/v2.1/os-hypervisors/{hypervisor_uuid}/uptime",
            ADMIN_ONLY, headers=V253),
    ]
