"""The compute image proxy shows Glance's status and progress as Nova's
does (``nova/api/openstack/compute/views/images.py``), and its body
fits the proxy's response schema."""

import pytest

from nimbus.api.openstack import responses
from nimbus.api.openstack.controllers import images


@pytest.mark.parametrize("glance, status, progress", [
    ("active", "ACTIVE", 100), ("queued", "SAVING", 25),
    ("saving", "SAVING", 50), ("killed", "ERROR", 0),
    ("deleted", "DELETED", 0), ("pending_delete", "DELETED", 0),
    ("deactivated", "UNKNOWN", 0), ("importing", "UNKNOWN", 0)])
def test_status_and_progress(glance, status, progress, monkeypatch):
    monkeypatch.setattr(images.common, "base_url", lambda: "http://n")
    image = {"id": "i1", "name": "cirros", "status": glance,
             "min_disk": 0, "min_ram": 0, "size": None,
             "created_at": "2026-12-02T10:00:00Z",
             "updated_at": "2026-12-02T10:00:00Z",
             "properties": {"os_distro": "cirros"}}
    body = images.image_view(image, True)
    assert (body["status"], body["progress"]) == (status, progress)
    assert responses.error("GET", "/images/{image_id}", (2, 35),
                           {"image": body}) is None
