"""Server groups, aggregates and zones through openstacksdk against the
in-process stack (two fake computes: fake-1, fake-2)."""

import pytest
import requests
from openstack import exceptions as sdk_exc

from tests.functional.test_servers_sdk import DEMO_IMAGE, wait_status


def _boot(conn, name, **kw):
    # Placement is the subject, not networking: no NIC (2.37's "none").
    kw.setdefault("networks", "none")
    return conn.compute.create_server(name=name, image_id=DEMO_IMAGE,
                                      flavor_id="1", **kw)


def test_anti_affinity_group_spreads_then_explains(stack):
    conn = stack.sdk()
    group = conn.compute.create_server_group(name="web",
                                             policies=["anti-affinity"])
    servers = [wait_status(conn, _boot(conn, f"w{i}",
                                       scheduler_hints={"group": group.id}),
                           "ACTIVE") for i in range(2)]
    admin = stack.sdk("admin:admin")
    assert {admin.compute.get_server(s.id).compute_host
            for s in servers} == {"fake-1", "fake-2"}
    shown = conn.compute.get_server_group(group.id)
    assert sorted(shown.member_ids) == sorted(s.id for s in servers)
    third = wait_status(conn, _boot(conn, "w3", scheduler_hints={
        "group": group.id}), "ERROR")
    assert "server_group_anti_affinity removed 2" in \
        third.fault["message"], third.fault


def test_affinity_group_stays_together(stack):
    conn = stack.sdk()
    group = conn.compute.create_server_group(name="db",
                                             policies=["affinity"])
    servers = [wait_status(conn, _boot(conn, f"d{i}",
                                       scheduler_hints={"group": group.id}),
                           "ACTIVE") for i in range(3)]
    admin = stack.sdk("admin:admin")
    hosts = {admin.compute.get_server(s.id).compute_host for s in servers}
    assert len(hosts) == 1


def test_bad_group_requests_are_400_in_nova_fault_json(stack):
    url = stack.url + "/v2.1/os-server-groups"
    headers = {"X-Auth-Token": "demo:demo"}
    bad = requests.post(url, headers=headers, json={
        "server_group": {"name": "x", "policies": ["nearby"]}})
    assert bad.status_code == 400
    assert bad.json()["badRequest"]["code"] == 400
    missing = requests.get(url + "/not-a-uuid", headers=headers)
    assert missing.status_code == 404 and "itemNotFound" in missing.json()
    conn = stack.sdk()
    with pytest.raises(sdk_exc.BadRequestException):
        _boot(conn, "x", scheduler_hints={
            "group": "00000000-0000-4000-8000-000000000000"})


def test_aggregate_zone_steers_boots(stack):
    admin = stack.sdk("admin:admin")
    agg = admin.compute.create_aggregate(name="rack1",
                                         availability_zone="az1")
    admin.compute.add_host_to_aggregate(agg, "fake-2")
    admin.compute.set_aggregate_metadata(agg, {"ssd": "true"})
    shown = admin.compute.get_aggregate(agg.id)
    assert shown.hosts == ["fake-2"] and shown.metadata["ssd"] == "true"
    zones = {z.name: z for z in stack.sdk().compute.availability_zones()}
    assert set(zones) == {"az1", "nova"}
    conn = stack.sdk()
    for i in range(3):
        server = wait_status(conn, _boot(conn, f"z{i}",
                                         availability_zone="az1"), "ACTIVE")
        assert admin.compute.get_server(server.id).compute_host == "fake-2"
    with pytest.raises(sdk_exc.ConflictException):
        admin.compute.add_host_to_aggregate(agg, "fake-2")
    with pytest.raises(sdk_exc.NotFoundException):
        admin.compute.add_host_to_aggregate(agg, "no-such-host")
    with pytest.raises(sdk_exc.BadRequestException):
        admin.compute.delete_aggregate(agg.id)
    admin.compute.remove_host_from_aggregate(agg, "fake-2")
    admin.compute.delete_aggregate(agg.id)
    assert not list(admin.compute.aggregates())


def test_aggregates_are_admin_only(stack):
    with pytest.raises(sdk_exc.ForbiddenException):
        list(stack.sdk().compute.aggregates())
