"""The metadata WSGI application.

Guests reach it at ``http://169.254.169.254/``: the gateway side of the
network plugin DNATs that address to ``[network] metadata_host:
metadata_port`` *without* source NAT, so the TCP peer address this app
sees is the guest's fixed IP. That address, and nothing the guest sends,
names the instance: ``X-Forwarded-For``, ``X-Instance-ID`` and the like
are ignored, so a guest can read only its own data. An address that is no
instance's fixed IP gets a 404, as does any path the instance has not.

Paths (Nova's):

* ``/`` the EC2 versions, ``/<version>/`` (``meta-data/``,
  ``user-data``), ``/<version>/meta-data/<key>...``,
  ``/<version>/user-data``; ``latest`` is a version;
* ``/openstack`` the OpenStack versions, ``/openstack/<version>/``
  (``meta_data.json``, ``network_data.json``, ``user_data``, ...);
  ``/openstack/<version>/password`` also takes a ``POST``: the guest's
  encrypted password, once (``os-server-password`` reads it).
"""

import webob
from oslo_log import log as logging

from nimbus.api.metadata import content
from nimbus.core import context as nimbus_context
from nimbus.core import exception

LOG = logging.getLogger(__name__)


class MetadataApp:
    """WSGI callable answering metadata requests.

    :param services: the API's service APIs; it uses ``network``
        (``get_instance_by_fixed_ip``, ``get_instance_nw_info``,
        ``list_instance_security_groups``, ``list_ports``) and ``compute``
        (``get``, ``volume_attachments``).
    """

    def __init__(self, services):
        self.services = services

    def __call__(self, environ, start_response):
        nimbus_context.start_request()
        request = webob.Request(environ)
        try:
            response = self._handle(request)
        except Exception:
            LOG.exception("Metadata request %(path)s from %(peer)s failed",
                          {"path": request.path,
                           "peer": environ.get("REMOTE_ADDR")})
            response = _plain(500, "An unknown error has occurred.")
        return response(environ, start_response)

    def _handle(self, request):
        parts = [p for p in request.path_info.split("/") if p]
        if _is_password(parts):
            return self._password(request, parts[1])
        if request.method not in ("GET", "HEAD"):
            return _plain(405, "Method not allowed", allow="GET, HEAD")
        if not parts:
            return _ok(*_text("\n".join(content.EC2_VERSIONS +
                                        ("latest",))))
        if parts == ["openstack"]:
            return _ok(*_text("\n".join(content.OPENSTACK_VERSIONS +
                                        ("latest",))))
        if parts[0] == "openstack":
            version = parts[1]
            if version not in content.OPENSTACK_VERSIONS + ("latest",):
                return _not_found()
            answer = self._answer(request, lambda md: md.openstack(
                version, parts[2:]), with_devices=parts[2:] == [
                "meta_data.json"])
        else:
            if parts[0] not in content.EC2_VERSIONS + ("latest",):
                return _not_found()
            answer = self._answer(request, lambda md: md.ec2(parts[1:]))
        return answer

    def _answer(self, request, render, with_devices=False):
        metadata = self._metadata_for(request.environ.get("REMOTE_ADDR"),
                                      with_devices)
        if metadata is None:
            return _not_found()
        try:
            return _ok(*render(metadata))
        except exception.NotFound:
            return _not_found()

    def _password(self, request, version):
        """``/openstack/<version>/password``: the guest posts its
        (encrypted) password once; it reads back what it posted."""
        if request.method not in ("GET", "HEAD", "POST"):
            return _plain(405, "Method not allowed",
                          allow="GET, HEAD, POST")
        if version != "latest" and version < content.PASSWORD_SINCE:
            return _not_found()
        ctx = nimbus_context.get_admin_context()
        uuid = self._instance_uuid(ctx, request.environ.get("REMOTE_ADDR"))
        if uuid is None:
            return _not_found()
        compute = self.services.compute
        if request.method != "POST":
            return _ok(*_text(compute.get_server_password(ctx, uuid)))
        try:
            compute.post_server_password(
                ctx, uuid, request.body.decode("utf-8", "replace"))
        except exception.Invalid as err:
            return _plain(400, str(err))
        except exception.Conflict as err:
            return _plain(409, str(err))
        return _plain(200, "")

    def _instance_uuid(self, ctx, address):
        if not address:
            return None
        return self.services.network.get_instance_by_fixed_ip(ctx, address)

    def _metadata_for(self, address, with_devices=False):
        """The :class:`~content.InstanceMetadata` of the instance whose
        fixed IP is ``address``, or ``None``; its tagged devices (ports
        and volume attachments, read only then) ``with_devices``."""
        if not address:
            return None
        ctx = nimbus_context.get_admin_context()
        network = self.services.network
        uuid = self._instance_uuid(ctx, address)
        if uuid is None:
            LOG.info("Metadata request from %s: no instance has that "
                     "fixed IP", address)
            return None
        try:
            instance = self.services.compute.get(ctx, uuid)
        except exception.InstanceNotFound:
            return None
        vifs = network.get_instance_nw_info(ctx, uuid)
        groups = [g["name"] for g in
                  network.list_instance_security_groups(ctx, uuid)]
        devices = ()
        if with_devices:
            devices = content.tagged_devices(
                network.list_ports(ctx, {"device_id": uuid}),
                self.services.compute.volume_attachments(ctx, uuid))
        return content.InstanceMetadata(instance, vifs, groups, devices)


def _is_password(parts):
    return len(parts) == 3 and parts[0] == "openstack" and \
        parts[2] == "password"


def _text(value):
    return "text/plain", value.encode()


def _ok(content_type, body):
    response = webob.Response(body=body, status=200)
    response.content_type = content_type
    if content_type.startswith("text/") or content_type.endswith("json"):
        response.charset = "utf-8"
    return response


def _plain(status, text, allow=None):
    response = webob.Response(body=text.encode(), status=status)
    response.content_type = "text/plain"
    response.charset = "utf-8"
    if allow:
        response.headers["Allow"] = allow
    return response


def _not_found():
    return _plain(404, "404 Not Found\n\nThe resource could not be found.")
