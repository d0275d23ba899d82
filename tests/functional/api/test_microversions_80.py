"""Compute API 2.80 through the in-process stack and the stock client:
``GET /os-migrations`` filters by ``user_id`` and ``project_id`` (a 400
before 2.80, whose schema has neither), and migration bodies of
``/os-migrations`` and ``/servers/{id}/migrations`` carry the
``user_id`` and ``project_id`` of whoever started the move."""

import json

from oslo_utils import uuidutils

from tests.functional.api.test_live_migration import _boot, _migrate, _wait
from tests.functional.api.test_migrations_read import _record

V280 = "2.80"


def test_migrations_by_user_and_project_from_2_80(cloud, advertise):
    advertise(80)
    admin = cloud.sdk("admin")
    mine = _record(uuidutils.generate_uuid(), "confirmed",
                   user_id="u-1", project_id="p-1")
    other = cloud.project_ids["other"]
    theirs = _record(uuidutils.generate_uuid(), "error",
                     user_id="u-2", project_id=other)

    def listed(query, version=V280):
        resp = admin.compute.get(f"/os-migrations{query}",
                                 microversion=version)
        return resp

    for query, expected in (("?user_id=u-1", {mine["uuid"]}),
                            (f"?project_id={other}", {theirs["uuid"]}),
                            (f"?user_id=u-1&project_id={other}", set()),
                            ("", {mine["uuid"], theirs["uuid"]})):
        resp = listed(query)
        assert resp.status_code == 200, resp.text
        found = {m["uuid"]: m for m in resp.json()["migrations"]}
        assert expected <= set(found), query
        if query:
            assert set(found) == expected, query
    body = {m["uuid"]: m for m in listed("").json()["migrations"]}
    assert (body[mine["uuid"]]["user_id"],
            body[mine["uuid"]]["project_id"]) == ("u-1", "p-1")
    old = listed("?user_id=u-1", "2.79")
    assert old.status_code == 400, old.text
    assert "user_id" not in listed("", "2.79").json()["migrations"][0]
    assert listed("?user_id=a&user_id=b").status_code == 400

    # A live migration records who started it; the server's list shows it.
    cloud.stack.conf.set_override("latency", {"live_migration": "30"},
                                  "fake")
    sid, = _boot(cloud, 1)
    assert _migrate(admin, sid, {"host": "fake-2",
                                 "block_migration": True}).status_code == 202
    running = _wait(lambda: [m for m in admin.compute.get(
        f"/servers/{sid}/migrations", microversion=V280).json()[
        "migrations"] if m["status"] == "running"], message="running")
    assert running[0]["project_id"] == cloud.project_ids["admin"]
    assert running[0]["user_id"]
    url = f"/servers/{sid}/migrations/{running[0]['id']}"
    shown = admin.compute.get(url, microversion=V280).json()["migration"]
    assert shown["project_id"] == cloud.project_ids["admin"]
    assert admin.compute.delete(url, microversion=V280).status_code == 202
    _wait(lambda: admin.compute.get_server(sid).task_state is None,
          message="aborted")

    out = json.loads(cloud.openstack(
        "admin", "--os-compute-api-version", V280, "server", "migration",
        "list", "--project", "other", "-f", "json").stdout)
    assert [m["UUID"] for m in out] == [theirs["uuid"]]
