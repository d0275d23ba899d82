"""Compute API 2.53 through the in-process stack (fake plugin, hosts
fake-1 and fake-2) and the stock clients: services and hypervisors named
by UUID, ``PUT /os-services/{service_id}`` for enable / disable / force
down, and the hypervisor search as ``hypervisor_hostname_pattern`` and
``with_servers`` query parameters. Every answer is checked against the
2.53 shape of Nova's API reference (``jsonschema``)."""

import uuid

import jsonschema

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_volume_stock_clients import osc_json, server

V253 = "2.53"
_UUID = {"type": "string", "format": "uuid",
         "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                    "[0-9a-f]{12}$"}
_NULL_STR = {"type": ["string", "null"]}
_NULL_INT = {"type": ["integer", "null"]}


def _object(required, optional=None):
    props = dict(required, **(optional or {}))
    return {"type": "object", "properties": props,
            "required": sorted(required), "additionalProperties": False}


#: one service from 2.53 (list, and the whole answer of an update).
SERVICE = _object({
    "id": _UUID, "binary": {"type": "string"}, "host": {"type": "string"},
    "zone": {"type": "string"}, "status": {"enum": ["enabled", "disabled"]},
    "state": {"enum": ["up", "down"]}, "updated_at": _NULL_STR,
    "disabled_reason": _NULL_STR, "forced_down": {"type": "boolean"}})
SERVICES = _object({"services": {"type": "array", "items": SERVICE}})
SERVICE_UPDATE = _object({"service": SERVICE})

_SERVERS = {"type": "array", "items": _object({
    "name": {"type": "string"}, "uuid": _UUID})}
_LINKS = {"type": "array", "items": _object({
    "href": {"type": "string"}, "rel": {"const": "next"}})}
_BRIEF = {"id": _UUID, "hypervisor_hostname": {"type": "string"},
          "state": {"enum": ["up", "down"]},
          "status": {"enum": ["enabled", "disabled"]}}
HYPERVISOR = _object(_BRIEF, {"servers": _SERVERS})
HYPERVISOR_DETAIL = _object(dict(_BRIEF, **{
    "cpu_info": {"type": "object"}, "current_workload": _NULL_INT,
    "disk_available_least": _NULL_INT, "free_disk_gb": _NULL_INT,
    "free_ram_mb": _NULL_INT, "host_ip": _NULL_STR,
    "hypervisor_type": {"type": "string"},
    "hypervisor_version": {"type": ["string", "integer"]},
    "local_gb": {"type": "integer"}, "local_gb_used": {"type": "integer"},
    "memory_mb": {"type": "integer"},
    "memory_mb_used": {"type": "integer"}, "running_vms": _NULL_INT,
    "vcpus": {"type": "integer"}, "vcpus_used": {"type": "integer"},
    "service": _object({"id": _UUID, "host": {"type": "string"},
                        "disabled_reason": _NULL_STR})}),
    {"servers": _SERVERS})
HYPERVISORS = _object({"hypervisors": {"type": "array",
                                       "items": HYPERVISOR}},
                      {"hypervisors_links": _LINKS})
HYPERVISORS_DETAIL = _object({"hypervisors": {
    "type": "array", "items": HYPERVISOR_DETAIL}},
    {"hypervisors_links": _LINKS})
HYPERVISOR_SHOW = _object({"hypervisor": HYPERVISOR_DETAIL})
UPTIME = _object({"hypervisor": _object(
    dict(_BRIEF, uptime=_NULL_STR), {"servers": _SERVERS})})
_FORMATS = jsonschema.FormatChecker()


def checked(resp, schema, status=200):
    """The decoded body of ``resp``, which must be ``status`` and fit
    ``schema``."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    jsonschema.validate(body, schema, format_checker=_FORMATS)
    return body


def _get(conn, path):
    return conn.compute.get(path, microversion=V253)


def _compute(cloud, host):
    services = checked(_get(cloud.sdk(), f"/os-services?host={host}&"
                                         "binary=nova-compute"), SERVICES)
    service, = services["services"]
    return service


def test_openstackclient_sets_services_by_uuid(cloud):
    osc = ("--os-compute-api-version", V253, "compute", "service")
    rows = osc_json(cloud, "admin", *osc, "list", "--long")
    assert {(r["Host"], r["Binary"]) for r in rows} >= {
        ("fake-1", "nova-compute"), ("fake-2", "nova-compute")}
    for row in rows:
        assert str(uuid.UUID(row["ID"])) == row["ID"]
    before = _compute(cloud, "fake-2")
    # From 2.53 the client finds the service's UUID, then PUTs to it
    # (the action routes are refused at this version, so these succeed
    # only through /os-services/{uuid}).
    cloud.openstack("admin", *osc, "set", "--disable", "--disable-reason",
                    "maintenance", "fake-2", "nova-compute")
    row, = osc_json(cloud, "admin", *osc, "list", "--long", "--host",
                    "fake-2", "--service", "nova-compute")
    assert (row["ID"], row["Status"], row["Disabled Reason"]) == (
        before["id"], "disabled", "maintenance")
    cloud.openstack("admin", *osc, "set", "--enable", "--down", "fake-2",
                    "nova-compute")
    row, = osc_json(cloud, "admin", *osc, "list", "--long", "--host",
                    "fake-2", "--service", "nova-compute")
    assert (row["Status"], row["Forced Down"], row["State"]) == (
        "enabled", True, "down")
    cloud.openstack("admin", *osc, "set", "--up", "fake-2", "nova-compute")
    assert _compute(cloud, "fake-2")["forced_down"] is False
    refused = cloud.openstack("admin", *osc, "set", "--disable", "ctl",
                              "nova-compute", check=False)
    assert refused.returncode != 0 and "not found" in refused.stderr
    # The lower versions still see integer ids and the action routes.
    old = osc_json(cloud, "admin", "--os-compute-api-version", "2.52",
                   "compute", "service", "list")
    assert all(isinstance(r["ID"], int) for r in old)


def test_service_update_and_delete_shapes(cloud):
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    admin = cloud.sdk()
    compute = _compute(cloud, "fake-1")
    resp = admin.compute.put(f"/os-services/{compute['id']}", json={
        "status": "disabled", "disabled_reason": "shape"},
        microversion=V253)
    service = checked(resp, SERVICE_UPDATE)["service"]
    assert (service["id"], service["status"], service["disabled_reason"]) \
        == (compute["id"], "disabled", "shape")
    resp = admin.compute.put(f"/os-services/{compute['id']}", json={
        "status": "enabled"}, microversion=V253)
    assert checked(resp, SERVICE_UPDATE)["service"]["status"] == "enabled"
    resp = admin.compute.put("/os-services/disable", json={
        "host": "fake-1", "binary": "nova-compute"}, microversion=V253)
    assert resp.status_code == 400, resp.text
    assert cloud.sdk("member").compute.put(
        f"/os-services/{compute['id']}", json={"status": "disabled"},
        microversion=V253).status_code == 403
    # A retired host's record goes by its UUID, through the client.
    gone = db_api.services.create(context.get_admin_context(), {
        "host": "retired", "binary": "nimbus-compute"})
    cloud.openstack("admin", "--os-compute-api-version", V253, "compute",
                    "service", "delete", gone["uuid"])
    hosts = {s["host"] for s in checked(_get(admin, "/os-services"),
                                        SERVICES)["services"]}
    assert "retired" not in hosts and "fake-1" in hosts
    resp = admin.compute.delete(f"/os-services/{gone['id']}",
                                microversion=V253)
    assert resp.status_code == 400
    assert resp.json()["badRequest"]["message"] == \
        f"Invalid uuid {gone['id']}"


def test_sdk_and_novaclient_update_services_by_uuid(cloud):
    conn = cloud.sdk()
    by_host = {s.host: s for s in conn.compute.services(
        binary="nova-compute")}
    assert str(uuid.UUID(by_host["fake-1"].id)) == by_host["fake-1"].id
    # openstacksdk negotiates 2.53 and updates through the UUID.
    updated = conn.compute.disable_service(by_host["fake-1"], "fake-1",
                                           "nova-compute", "sdk")
    assert (updated.status, updated.disabled_reason) == ("disabled", "sdk")
    conn.compute.enable_service(by_host["fake-1"], "fake-1", "nova-compute")
    assert _compute(cloud, "fake-1")["status"] == "enabled"

    nova = _novaclient(cloud, V253)
    service = {s.host: s for s in nova.services.list(
        binary="nova-compute")}["fake-2"]
    assert service.id == _compute(cloud, "fake-2")["id"]
    nova.services.disable_log_reason(service.id, "novaclient")
    nova.services.force_down(service.id, True)
    shown = _compute(cloud, "fake-2")
    assert (shown["status"], shown["disabled_reason"],
            shown["forced_down"]) == ("disabled", "novaclient", True)
    nova.services.force_down(service.id, False)
    nova.services.enable(service.id)
    shown = _compute(cloud, "fake-2")
    assert (shown["status"], shown["disabled_reason"],
            shown["forced_down"]) == ("enabled", None, False)


def test_hypervisors_by_uuid_with_the_stock_clients(cloud):
    sid = server(cloud, "on-a-node")
    admin = cloud.sdk()
    node_name = admin.compute.get_server(sid).hypervisor_hostname
    listed = checked(_get(admin, "/os-hypervisors"), HYPERVISORS)
    detail = checked(_get(admin, "/os-hypervisors/detail"),
                     HYPERVISORS_DETAIL)["hypervisors"]
    assert [h["id"] for h in detail] == [
        h["id"] for h in listed["hypervisors"]]
    node = {h["hypervisor_hostname"]: h for h in detail}[node_name]
    assert node["service"]["id"] == _compute(cloud, node_name)["id"]

    # with_servers, on the list (by pattern) and on the show.
    found = checked(_get(admin, "/os-hypervisors/detail?"
                                f"hypervisor_hostname_pattern={node_name}"
                                "&with_servers=true"), HYPERVISORS_DETAIL)
    hyp, = found["hypervisors"]
    assert [s["uuid"] for s in hyp["servers"]] == [sid]
    shown = checked(_get(admin, f"/os-hypervisors/{node['id']}"
                                "?with_servers=1"), HYPERVISOR_SHOW)
    assert shown["hypervisor"]["servers"] == [{"name": "on-a-node",
                                               "uuid": sid}]
    assert "servers" not in checked(_get(
        admin, f"/os-hypervisors/{node['id']}"), HYPERVISOR_SHOW)[
        "hypervisor"]
    uptime = checked(_get(admin, f"/os-hypervisors/{node['id']}/uptime"),
                     UPTIME)["hypervisor"]
    assert "load average" in uptime["uptime"]
    # Paging by UUID; the routes 2.53 replaced are gone.
    page = checked(_get(admin, "/os-hypervisors?limit=1"), HYPERVISORS)
    link, = page["hypervisors_links"]
    assert f"marker={page['hypervisors'][0]['id']}" in link["href"]
    assert _get(admin, f"/os-hypervisors/{node_name}/servers"
                ).status_code == 404
    assert _get(admin, "/os-hypervisors/1").status_code == 400

    # openstacksdk negotiates 2.53: the query parameters, and UUIDs.
    hyps = list(admin.compute.hypervisors(
        details=True, hypervisor_hostname_pattern=node_name,
        with_servers=True))
    assert [(h.id, [s["uuid"] for s in h.servers]) for h in hyps] == [
        (node["id"], [sid])]
    assert admin.compute.get_hypervisor(node["id"]).name == node_name

    # python-openstackclient at 2.53: list, search and show by name.
    osc = ("--os-compute-api-version", V253, "hypervisor")
    rows = osc_json(cloud, "admin", *osc, "list", "--long")
    assert {r["ID"] for r in rows} == {h["id"] for h in detail}
    rows = osc_json(cloud, "admin", *osc, "list", "--matching", node_name)
    assert [r["ID"] for r in rows] == [node["id"]]
    shown = osc_json(cloud, "admin", *osc, "show", node_name)
    assert (shown["id"], shown["service_id"]) == (
        node["id"], node["service"]["id"])
    assert shown["load_average"]

    # novaclient's search at 2.53 sends the query parameters.
    nova = _novaclient(cloud, V253)
    hyp, = nova.hypervisors.search(node_name, servers=True)
    assert (hyp.id, [s["uuid"] for s in hyp.servers]) == (node["id"], [sid])
    assert nova.hypervisors.get(node["id"]).hypervisor_hostname == node_name
    assert "load average" in nova.hypervisors.uptime(node["id"]).uptime
    cloud.openstack("member", "server", "delete", "--wait", sid)
