"""Compute API 2.78 through the in-process stack and the stock client:
``GET /servers/{id}/topology``. nimbus places no guest on NUMA cells, so
every server has Nova's answer for a server without a NUMA topology; the
route is the owner's (policy ``compute:server:topology:index``), a 404
below 2.78 and for other projects."""

import json

from tests.functional.api.test_volume_stock_clients import server


def test_topology_of_a_server_from_2_78(cloud, advertise):
    advertise(78)
    sid = server(cloud, "topo")
    member = cloud.sdk("member")
    resp = member.compute.get(f"/servers/{sid}/topology",
                              microversion="2.78")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"nodes": [], "pagesize_kb": None}
    old = member.compute.get(f"/servers/{sid}/topology",
                             microversion="2.77")
    assert old.status_code == 404, old.text
    stranger = cloud.sdk("other").compute.get(f"/servers/{sid}/topology",
                                              microversion="2.78")
    assert stranger.status_code == 404, stranger.text
    shown = json.loads(cloud.openstack(
        "member", "--os-compute-api-version", "2.78", "server", "show",
        "--topology", sid, "-f", "json").stdout)
    assert shown["topology"] == {"nodes": [], "pagesize_kb": None}
