"""The query schemas of the paged lists of 2.58 (instance actions) and
2.59 (migrations), with the ``date-time`` format Nova checks."""

import jsonschema
import pytest

from nimbus.api import http
from nimbus.api.openstack import schemas_paging as s

GOOD = [{}, {"limit": ["0"]}, {"limit": ["25"], "marker": ["req-1"]},
        {"changes-since": ["2026-12-01T10:00:00Z"]},
        {"changes-since": ["2026-12-01T10:00:00.123456+02:00"]},
        {"changes-since": ["2026-12-01"]}]
BAD = [{"limit": ["-1"]}, {"limit": ["x"]}, {"limit": ["1", "2"]},
       {"marker": ["a", "b"]}, {"changes-since": ["yesterday"]},
       {"changes-since": ["2026-13-01T00:00:00"]},
       {"changes-since": ["1", "2"]}, {"changes-before": ["2026-12-01"]},
       {"sort_key": ["id"]}]


@pytest.mark.parametrize("query", GOOD)
def test_paging_queries_nova_accepts(query):
    http.check(query, s.INSTANCE_ACTIONS_QUERY_V258)
    http.check(query, s.MIGRATIONS_QUERY_V259)


@pytest.mark.parametrize("query", BAD)
def test_paging_queries_nova_refuses(query):
    for schema in (s.INSTANCE_ACTIONS_QUERY_V258, s.MIGRATIONS_QUERY_V259):
        with pytest.raises(jsonschema.ValidationError):
            http.check(query, schema)


def test_migration_filters_of_2_1_stay_and_others_go():
    http.check({"host": ["a"], "status": ["migrating", "error"],
                "instance_uuid": ["u"], "source_compute": ["a"],
                "migration_type": ["resize"], "hidden": ["0"]},
               s.MIGRATIONS_QUERY_V259)
    for name in ("dest_compute", "node", "user_id", "project_id"):
        with pytest.raises(jsonschema.ValidationError):
            http.check({name: ["x"]}, s.MIGRATIONS_QUERY_V259)
    with pytest.raises(jsonschema.ValidationError):
        http.check({"host": ["a"]}, s.INSTANCE_ACTIONS_QUERY_V258)
