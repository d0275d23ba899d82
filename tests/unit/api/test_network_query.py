"""Neutron's list query language (filters, fields, sorting, paging) as
the network dialect parses and applies it."""

import pytest
from webob.multidict import MultiDict

from nimbus.api.network import query
from nimbus.core import exception

ITEMS = [
    {"id": "a", "name": "web", "shared": False, "mtu": 1500,
     "tags": [], "security_groups": ["g1"],
     "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.3"}],
     "device_id": "srv-1", "nested": {"x": 1}},
    {"id": "b", "name": "db", "shared": True, "mtu": 9000, "tags": [],
     "security_groups": ["g1", "g2"],
     "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.4"}],
     "device_id": "", "nested": {}},
    {"id": "c", "name": "web", "shared": True, "mtu": 1500, "tags": [],
     "security_groups": [], "fixed_ips": [], "device_id": "srv-2",
     "nested": {}},
]
ATTRS = ITEMS[0].keys()


def run(pairs, items=ITEMS, max_limit=1000):
    q = query.ListQuery(MultiDict(pairs), ATTRS, max_limit)
    page, more = q.apply([dict(i) for i in items])
    return [i["id"] for i in page], more


@pytest.mark.parametrize("pairs, ids", [
    ([("name", "web")], ["a", "c"]),
    ([("name", "web"), ("name", "db")], ["a", "b", "c"]),
    ([("name", "web"), ("shared", "True")], ["c"]),
    ([("shared", "false")], ["a"]),
    ([("shared", "1")], ["b", "c"]),
    ([("mtu", "9000")], ["b"]),
    ([("security_groups", "g2")], ["b"]),
    ([("fixed_ips", "ip_address=10.0.0.4")], ["b"]),
    ([("fixed_ips", "subnet_id=s1")], ["a", "b"]),
    ([("device_id", "srv-2")], ["c"]),
    ([("name", "nothing")], []),
    ([("tags", "x")], []),
    ([("not-tags", "x")], ["a", "b", "c"]),
    ([("fields", "id"), ("fields", "name")], ["a", "b", "c"]),
])
def test_filters(pairs, ids):
    assert run(pairs)[0] == ids


@pytest.mark.parametrize("pairs, attribute", [
    ([("bogus", "1")], "bogus"),
    ([("shared", "maybe")], "shared"),
    ([("nested", "x")], "nested"),
    ([("fixed_ips", "10.0.0.3")], "fixed_ips"),
    ([("sort_key", "bogus")], "sort_key"),
    ([("sort_key", "name"), ("sort_dir", "up")], "sort_dir"),
    ([("sort_key", "name"), ("sort_key", "id"), ("sort_dir", "asc")],
     "sort_dir"),
    ([("limit", "x")], "limit"),
    ([("limit", "-1")], "limit"),
    ([("limit", "1"), ("marker", "zzz")], "marker"),
    ([("page_reverse", "sideways")], "page_reverse"),
])
def test_bad_queries_name_the_parameter(pairs, attribute):
    with pytest.raises(exception.ValidationError) as err:
        run(pairs)
    assert attribute in err.value.message
    assert err.value.code == 400


def test_sorting_is_stable_over_several_keys():
    assert run([("sort_key", "name"), ("sort_dir", "desc")])[0] == \
        ["a", "c", "b"]
    assert run([("sort_key", "mtu"), ("sort_key", "name"),
                ("sort_dir", "asc"), ("sort_dir", "desc")])[0] == \
        ["a", "c", "b"]


def test_limit_and_marker_page_through_everything():
    seen, marker = [], None
    while True:
        pairs = [("limit", "2")] + ([("marker", marker)] if marker else [])
        ids, more = run(pairs)
        seen += ids
        if not more:
            break
        marker = ids[-1]
    assert seen == ["a", "b", "c"]
    assert run([("limit", "3")]) == (["a", "b", "c"], False)


def test_page_reverse_walks_backwards_from_the_marker():
    assert run([("limit", "1"), ("marker", "c"),
                ("page_reverse", "True")]) == (["b"], True)


def test_limit_is_capped_and_zero_means_the_cap():
    assert run([("limit", "0")], max_limit=2) == (["a", "b"], True)
    assert run([("limit", "50")], max_limit=2) == (["a", "b"], True)


def test_fields_keep_only_the_asked_keys():
    q = query.ListQuery(MultiDict([("fields", "id"), ("fields", "name,mtu")]),
                        ATTRS, 10)
    assert q.project(ITEMS[0]) == {"id": "a", "name": "web", "mtu": 1500}


def test_next_link_keeps_the_query_and_moves_the_marker():
    get = MultiDict([("limit", "2"), ("name", "web"), ("marker", "x")])
    q = query.ListQuery(MultiDict([("limit", "2")]), ATTRS, 10)
    link = q.next_link("http://h/network/v2.0/ports", get, "b")
    assert link["rel"] == "next"
    assert link["href"] == ("http://h/network/v2.0/ports?limit=2&name=web"
                            "&marker=b")
