"""Compute API 2.81 through the in-process stack (fake plugin, hosts
fake-1 and fake-2): ``POST /os-aggregates/{id}/images`` has the
aggregate's hosts that are up copy the images into their image caches
(the fake plugin keeps the set of images it holds), the others not;
Nova's 400s (a repeated, unknown or malformed image, an id that is no
integer), 404 (no such aggregate; the route below 2.81) and 403."""

import time

import pytest

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


@pytest.fixture
def cloud(cloud, advertise):
    advertise(81)
    return cloud


def _aggregate(admin, hosts):
    resp = admin.compute.post("/os-aggregates", json={
        "aggregate": {"name": "precache"}}, microversion="2.81")
    assert resp.status_code == 200, resp.text
    agg = resp.json()["aggregate"]["id"]
    for host in hosts:
        assert admin.compute.post(f"/os-aggregates/{agg}/action", json={
            "add_host": {"host": host}}).status_code == 200
    return agg


def _images(admin, agg, body, version="2.81", who=None):
    return admin.compute.post(f"/os-aggregates/{agg}/images", json=body,
                              microversion=version)


def _cached(cloud, host):
    return cloud.stack.compute(host).manager.driver.cached_images


def test_an_aggregates_hosts_cache_the_images(cloud):
    admin = cloud.sdk("admin")
    agg = _aggregate(admin, ["fake-1"])
    assert IMAGE not in _cached(cloud, "fake-1")
    resp = _images(admin, agg, {"cache": [{"id": IMAGE}]})
    assert resp.status_code == 202, resp.text
    deadline = time.monotonic() + 30
    while IMAGE not in _cached(cloud, "fake-1"):
        assert time.monotonic() < deadline, "image not cached"
        time.sleep(0.1)
    assert IMAGE not in _cached(cloud, "fake-2")    # not in the aggregate
    # Asking again is harmless.
    assert _images(admin, agg, {"cache": [{"id": IMAGE}]}).status_code == 202


def test_bad_requests_are_novas(cloud):
    admin = cloud.sdk("admin")
    agg = _aggregate(admin, ["fake-1"])
    unknown = "0000dead-0000-4000-8000-000000000000"
    for body, status, text in (
            ({"cache": [{"id": IMAGE}, {"id": IMAGE}]}, 400,
             "Duplicate images in request"),
            ({"cache": [{"id": unknown}]}, 400,
             f"Image {unknown} could not be found."),
            ({"cache": [{"id": "not-an-image"}]}, 400, "not-an-image"),
            ({"cache": []}, 400, "[]"),
            ({"cache": [{"id": IMAGE, "x": 1}]}, 400, "x")):
        resp = _images(admin, agg, body)
        assert resp.status_code == status, (body, resp.text)
        assert text in resp.json()["badRequest"]["message"], resp.text
    assert _images(admin, "abc", {"cache": [{"id": IMAGE}]}
                   ).status_code == 400
    assert _images(admin, 99999, {"cache": [{"id": IMAGE}]}
                   ).status_code == 404
    old = _images(admin, agg, {"cache": [{"id": IMAGE}]}, version="2.80")
    assert old.status_code == 404, old.text
    member = cloud.sdk("member").compute.post(
        f"/os-aggregates/{agg}/images", json={"cache": [{"id": IMAGE}]},
        microversion="2.81")
    assert member.status_code == 403, member.text
    assert IMAGE not in _cached(cloud, "fake-1")


def test_stock_client_asks_an_aggregate_to_cache(cloud):
    admin = cloud.sdk("admin")
    _aggregate(admin, ["fake-2"])
    cloud.openstack("admin", "--os-compute-api-version", "2.81",
                    "aggregate", "cache", "image", "precache", IMAGE)
    deadline = time.monotonic() + 30
    while IMAGE not in _cached(cloud, "fake-2"):
        assert time.monotonic() < deadline, "image not cached"
        time.sleep(0.1)
