"""Compute RPC 1.15: the rescue and the re-imaging rebuild of a
volume-backed server go only to computes that take them; pinned below,
the API's check refuses (409) before anything is sent."""

from types import SimpleNamespace
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import rpcapi as compute_rpcapi

UUID = "9b3f3a1e-6c49-4d56-8f5e-0a7c1f1e2d3c"


def _instance(image_ref=""):
    return SimpleNamespace(uuid=UUID, host="h1", image_ref=image_ref)


@pytest.mark.parametrize("pin, version", [("1.14", None), (None, "1.15")])
def test_volume_backed_rescue_and_rebuild(nimbus_conf, pin, version):
    if pin:
        nimbus_conf.set_override("compute", pin, "upgrade_levels")
    api = compute_rpcapi.ComputeAPI()
    with mock.patch.object(api.client, "prepare") as prepare:
        calls = (
            lambda: api.rescue_instance(None, _instance(), "img"),
            lambda: api.rebuild_instance(None, _instance(), "img",
                                         reimage_boot_volume=True),
        )
        for call in calls:
            if version is None:
                with pytest.raises(exception.ActionNotSupportedByHost) as err:
                    call()
                assert err.value.code == 409
                assert "compute older than 1.15" in str(err.value)
            else:
                call()
        if version is None:
            prepare.assert_not_called()
            # The rest still goes at the versions that carry it.
            api.rescue_instance(None, _instance("image"), "img")
            api.rebuild_instance(None, _instance(), "img")
            assert [c.kwargs["version"] for c in prepare.call_args_list] \
                == ["1.7", "1.7"]
            return
    versions = [c.kwargs["version"] for c in prepare.call_args_list]
    assert versions.count("1.15") == 2
    kwargs = prepare.return_value.cast.call_args.kwargs
    assert kwargs["reimage_boot_volume"] is True
