"""The connection to Glance: an openstacksdk ``image`` proxy over a
keystoneauth session made from nimbus's service credentials
(``[keystone_authtoken]``), and the translation of what Glance answers
into nimbus's exceptions. Glance unreachable, failing (5xx) or refusing
nimbus's own credentials is :class:`~nimbus.core.exception.ServiceUnavailable`
(503), never a 500."""

import contextlib
import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from openstack import connection
from openstack import exceptions as sdk_exc
from oslo_log import log as logging

from nimbus.core import exception

LOG = logging.getLogger(__name__)

AUTH_GROUP = "keystone_authtoken"
BACKEND = "image service (Glance)"
_LOCK = threading.Lock()


def image_proxy(conf):
    """An openstacksdk image proxy (a keystoneauth adapter whose paths
    are relative to Glance's ``/v2``)."""
    ks_loading.register_auth_conf_options(conf, AUTH_GROUP)
    with _LOCK:
        auth = ks_loading.load_auth_from_conf_options(conf, AUTH_GROUP)
    if auth is None:
        raise exception.ConfigError(
            reason="[images] backend = glance needs nimbus's service "
                   "credentials in [keystone_authtoken] (auth_type, "
                   "auth_url, username, password, project_name, ...)")
    session = ks_session.Session(auth=auth, timeout=conf.glance.timeout)
    options = {"session": session, "interface": conf.glance.interface,
               "region_name": conf.glance.region_name}
    if conf.glance.endpoint:
        # the base URL: the SDK finds /v2 in Glance's version document.
        options["image_endpoint_override"] = conf.glance.endpoint
    return connection.Connection(**options).image


@contextlib.contextmanager
def translated(image_id=None, member_id=None):
    """Turn Glance's and keystoneauth's errors into nimbus's."""
    try:
        yield
    except sdk_exc.NotFoundException:
        if member_id is not None:
            raise exception.ImageMemberNotFound(image_id=image_id,
                                                member_id=member_id)
        raise exception.ImageNotFound(image_id=image_id)
    except sdk_exc.ConflictException as err:
        raise exception.Conflict(reason=_detail(err))
    except sdk_exc.ForbiddenException as err:
        raise exception.ImageForbidden(reason=_detail(err))
    except sdk_exc.BadRequestException as err:
        raise exception.Invalid(reason=_detail(err))
    except sdk_exc.HttpException as err:
        if err.status_code == 413:
            raise exception.ImageStoreFull(image_id=image_id)
        _unavailable(err)
    except (ks_exc.ClientException, sdk_exc.SDKException) as err:
        # connection refused or timed out, no image endpoint in the
        # catalog, nimbus's own credentials refused by Keystone, ...
        _unavailable(err)


def check(response):
    """Raise the SDK's exception for an error ``response``; return it."""
    sdk_exc.raise_from_response(response)
    return response


def _detail(err):
    return (err.details or err.message or str(err)).strip()


def _unavailable(err):
    LOG.warning("Glance request failed: %s: %s", type(err).__name__, err)
    raise exception.ServiceUnavailable(backend=BACKEND) from err
