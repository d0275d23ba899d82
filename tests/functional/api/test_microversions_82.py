"""Compute API 2.82 through the in-process stack (fake plugin):
``accelerator-request-bound`` external events (Cyborg's word that an
accelerator request of a server is bound). Below 2.82 the name is Nova's
400; from 2.82 it is accepted per server (200; 404 for an unknown
server). No nimbus build binds accelerators, so nothing waits for the
event: the server, its host and its actions are left as they were, as
Nova's compute does with an event nobody waits for."""

from tests.functional.api.test_microversions_51_plus import post
from tests.functional.api.test_microversions_76 import _actions, _state
from tests.functional.api.test_volume_stock_clients import server

_GONE = "00000000-0000-4000-8000-00000000dead"


def test_accelerator_request_bound_from_2_82(cloud, advertise):
    advertise(82)
    sid = server(cloud, "accel")
    bound = {"name": "accelerator-request-bound", "server_uuid": sid,
             "tag": "b4a1e1a5-0000-4000-8000-000000000001",
             "status": "completed"}
    old = post(cloud, [bound], microversion="2.81")
    assert old.status_code == 400, old.text
    assert "accelerator-request-bound" in old.json()["badRequest"]["message"]
    before = (_state(cloud, sid), _actions(cloud, sid))
    resp = post(cloud, [bound, dict(bound, server_uuid=_GONE)],
                microversion="2.82")
    assert resp.status_code == 207, resp.text
    assert [(e["server_uuid"], e["code"], e["status"])
            for e in resp.json()["events"]] == [
        (sid, 200, "completed"), (_GONE, 404, "failed")]
    assert (_state(cloud, sid), _actions(cloud, sid)) == before
