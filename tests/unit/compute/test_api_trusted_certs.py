"""ComputeAPI and 2.63: which trusted certificates a server gets at
create and rebuild (given, the ``[glance]`` defaults, none), what is
recorded and cast, and Nova's 400 for a volume-backed server."""

import pytest

from nimbus.core import exception
from nimbus.core.compute import vm_states as vs
from tests.unit import workflow_fakes as wf
from tests.unit.compute.test_api import _nothing_cast, api

__all__ = ["api"]

CERTS = ["ca-1", "ca-2"]
DEFAULTS = ["default-ca"]


def _defaults(conf, verify=True, validate=True):
    conf.set_override("verify_glance_signatures", verify, "glance")
    conf.set_override("enable_certificate_validation", validate, "glance")
    conf.set_override("default_trusted_certificate_ids", DEFAULTS, "glance")


def _created(api, **kwargs):
    [instance] = api.create(wf.user_context(), "web", "1", api.image_id,
                            **kwargs)
    return instance, wf.load(instance.uuid)


def test_given_certificates_are_recorded_and_cast(api):
    instance, row = _created(api, trusted_certs=CERTS)
    assert instance.trusted_certs == CERTS
    assert row["trusted_certs"] == '["ca-1", "ca-2"]'


@pytest.mark.parametrize("verify,validate,expected", [
    (True, True, DEFAULTS), (True, False, None), (False, True, None)])
def test_defaults_only_with_verification_and_validation(
        api, nimbus_conf, verify, validate, expected):
    _defaults(nimbus_conf, verify, validate)
    instance, row = _created(api)
    assert instance.trusted_certs == expected
    # Given ones always win.
    instance, _ = _created(api, trusted_certs=CERTS)
    assert instance.trusted_certs == CERTS


def test_none_by_default(api):
    instance, row = _created(api)
    assert instance.trusted_certs is None and row["trusted_certs"] is None


@pytest.mark.parametrize("given,defaults", [(CERTS, False), (None, True)])
def test_volume_boot_with_certificates_is_a_400_recording_nothing(
        api, nimbus_conf, given, defaults):
    if defaults:
        _defaults(nimbus_conf)
    with pytest.raises(exception.CertificateValidationFailed) as err:
        api.create(wf.user_context(), "bfv", "1", None, trusted_certs=given,
                   block_devices=[{"boot_index": 0, "uuid": "v",
                                   "source_type": "volume",
                                   "destination_type": "volume"}])
    assert err.value.code == 400
    assert err.value.message == ("Image certificate validation is not "
                                 "supported when booting from volume")
    _nothing_cast(api)


def _server(image_ref="img", **values):
    ctx = wf.user_context()
    return ctx, wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                                   action=None, image_ref=image_ref,
                                   **values).uuid


def test_rebuild_sets_resets_and_keeps(api, nimbus_conf):
    ctx, uuid = _server()
    api.rebuild(ctx, uuid, api.image_id, trusted_certs=CERTS)
    assert wf.load(uuid)["trusted_certs"] == '["ca-1", "ca-2"]'
    [call] = api.compute_rpc.rebuild_instance.call_args_list
    assert call.args[1].trusted_certs == CERTS
    # Absent keeps the server's.
    ctx, uuid = _server(trusted_certs='["kept"]')
    api.rebuild(ctx, uuid, api.image_id)
    assert wf.load(uuid)["trusted_certs"] == '["kept"]'
    # null: none, or the defaults when they apply.
    ctx, uuid = _server(trusted_certs='["kept"]')
    api.rebuild(ctx, uuid, api.image_id, trusted_certs=None)
    assert wf.load(uuid)["trusted_certs"] is None
    _defaults(nimbus_conf)
    ctx, uuid = _server(trusted_certs='["kept"]')
    api.rebuild(ctx, uuid, api.image_id, trusted_certs=None)
    assert wf.load(uuid)["trusted_certs"] == '["default-ca"]'


def test_rebuild_of_a_volume_backed_server_with_certificates_is_a_400(api):
    ctx, uuid = _server(image_ref="")
    with pytest.raises(exception.CertificateValidationFailed) as err:
        api.rebuild(ctx, uuid, api.image_id, trusted_certs=CERTS)
    assert err.value.message == ("Image certificate validation is not "
                                 "supported for volume-backed servers.")
    _nothing_cast(api)
    assert wf.load(uuid)["trusted_certs"] is None
