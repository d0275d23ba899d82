"""EC2 paging: the NextToken's encoding, and the page walk over a list
query with filters applied batch by batch."""

import types

import pytest

from nimbus.api.ec2 import params as ec2_params
from nimbus.api.ec2.actions import paging
from nimbus.core import exception

MARKER = "6f1c7d2e-93c4-4e35-9f7a-0c2b6a1d5e47"


def test_token_round_trip_is_opaque():
    token = paging.encode_token(MARKER)
    assert MARKER not in token and "=" not in token
    assert token.isascii() and token.replace("-", "").replace(
        "_", "").isalnum()
    assert paging.decode_token(token) == MARKER


@pytest.mark.parametrize("token", [
    "", "x", "12", "!!!!", "%%%", "\u00e9t\u00e9",
    paging.encode_token("not-a-uuid"),
    paging.encode_token(MARKER)[:-3],
    # the marker without the version prefix
    "NmYxYzdkMmUtOTNjNC00ZTM1LTlmN2EtMGMyYjZhMWQ1ZTQ3",
])
def test_bad_tokens_are_invalid_parameter_values(token):
    with pytest.raises(exception.Ec2Error) as err:
        paging.decode_token(token)
    assert err.value.ec2_code == "InvalidParameterValue"
    assert err.value.code == 400


def test_request_reads_size_and_marker():
    params = ec2_params.Params([("MaxResults", "7"),
                                ("NextToken", paging.encode_token(MARKER))])
    assert paging.request(params) == (7, MARKER)
    assert paging.request(ec2_params.Params([])) == (None, None)
    with pytest.raises(exception.Ec2Error):
        paging.request(ec2_params.Params([("MaxResults", "4")]))


class FakeList:
    """A list query over ``items`` with limit/marker, counting calls."""

    def __init__(self, count):
        self.items = [types.SimpleNamespace(uuid=f"u{i:03d}", n=i)
                      for i in range(count)]
        self.calls = []

    def fetch(self, limit, marker):
        self.calls.append((limit, marker))
        start = 0
        if marker is not None:
            start = [i.uuid for i in self.items].index(marker) + 1
        end = None if limit is None else start + limit
        return self.items[start:end]


def pages(listing, keep, size):
    seen, marker = [], None
    for _ in range(100):
        items, marker = paging.walk(listing.fetch, keep, size, marker)
        seen.append([i.n for i in items])
        if marker is None:
            return seen
    raise AssertionError("the walk did not end")


def test_walk_without_filters_is_one_query_per_page():
    listing = FakeList(12)
    assert pages(listing, list, 5) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9],
                                       [10, 11]]
    assert [limit for limit, _ in listing.calls] == [6, 6, 6]


def test_walk_with_an_exact_multiple_has_no_empty_last_page():
    assert pages(FakeList(10), list, 5) == [[0, 1, 2, 3, 4],
                                            [5, 6, 7, 8, 9]]


def test_walk_with_filters_fills_pages_and_sees_each_match_once():
    listing = FakeList(40)

    def keep(batch):
        return [i for i in batch if i.n % 7 == 0]
    seen = pages(listing, keep, 5)
    assert seen == [[0, 7, 14, 21, 28], [35]]
    assert len(listing.calls) > 2  # the first page took several batches


def test_walk_with_no_match_ends_with_an_empty_page():
    assert pages(FakeList(13), lambda batch: [], 5) == [[]]


def test_walk_without_size_is_everything():
    listing = FakeList(9)
    items, marker = paging.walk(listing.fetch, list, None, None)
    assert [i.n for i in items] == list(range(9)) and marker is None
    assert listing.calls == [(None, None)]


def _keyed(items, **params):
    return paging.keyed(items, ec2_params.Params(list(params.items())),
                        lambda v: paging.id_order(v))


def test_keyed_pages_walk_in_id_order_and_survive_deletes():
    ids = [f"vol-{n:08x}" for n in (3, 1, 2, 7, 5, 4, 6)] + \
        ["vol-100000000"]
    page, token = _keyed(ids, MaxResults="5")
    assert page == [f"vol-{n:08x}" for n in (1, 2, 3, 4, 5)]
    # deleting an answered item does not shift the next page
    rest = [i for i in ids if i != "vol-00000002"]
    page, token = _keyed(rest, MaxResults="5", NextToken=token)
    assert page == ["vol-00000006", "vol-00000007", "vol-100000000"]
    assert token is None
    assert _keyed(ids) == (sorted(ids, key=paging.id_order), None)
    assert _keyed(ids[:5], MaxResults="5") == (sorted(ids[:5]), None)


@pytest.mark.parametrize("token", [
    "²", "x", "0", "5", paging.encode_token(MARKER),
    paging._encode_key(("a", "b", "c")), paging._encode_key(("a",))[:-2],
])
def test_keyed_refuses_tokens_it_did_not_make(token):
    with pytest.raises(exception.Ec2Error) as err:
        _keyed(["vol-00000001"], NextToken=token)
    assert err.value.ec2_code == "InvalidParameterValue"
