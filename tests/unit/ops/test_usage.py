"""Usage over a period: the part of each server's life inside it."""

import datetime

from nimbus.core import usage_api

T0 = datetime.datetime(2026, 1, 1)


def _inst(uuid, launched, terminated=None, project="p1", vcpus=2,
          memory_mb=512, root_gb=1, ephemeral_gb=1):
    return {"uuid": uuid, "display_name": uuid, "project_id": project,
            "launched_at": launched, "terminated_at": terminated,
            "vcpus": vcpus, "memory_mb": memory_mb, "root_gb": root_gb,
            "ephemeral_gb": ephemeral_gb, "flavor_name": "m1.small",
            "vm_state": "active"}


class Instances:
    def __init__(self, rows):
        self.rows = rows

    def active_between(self, context, start, end, project_id=None,
                       limit=None, marker=None):
        assert (limit, marker) == (None, None)  # paging: functional tests
        return [r for r in self.rows
                if project_id is None or r["project_id"] == project_id]


class DB:
    def __init__(self, rows):
        self.instances = Instances(rows)


def test_hours_are_clipped_to_the_period():
    rows = [_inst("a", T0 - datetime.timedelta(hours=5),
                  T0 + datetime.timedelta(hours=2)),
            _inst("b", T0 + datetime.timedelta(hours=1), project="p2",
                  vcpus=1)]
    api = usage_api.UsageAPI(None, DB(rows))
    usages = api.usages(None, T0, T0 + datetime.timedelta(hours=4))
    p1, p2 = usages["p1"], usages["p2"]
    assert p1["total_hours"] == 2.0
    assert p1["total_vcpus_usage"] == 4.0
    assert p1["total_memory_mb_usage"] == 1024.0
    assert p1["total_local_gb_usage"] == 4.0
    assert p1["server_usages"][0]["state"] == "terminated"
    assert p2["total_hours"] == 3.0
    assert p2["server_usages"][0]["state"] == "active"


def test_one_project():
    rows = [_inst("a", T0), _inst("b", T0, project="p2")]
    usages = usage_api.UsageAPI(None, DB(rows)).usages(
        None, T0, T0 + datetime.timedelta(hours=1), project_id="p2")
    assert list(usages) == ["p2"]
