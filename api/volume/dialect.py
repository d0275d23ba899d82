"""The volume dialect (``nimbus.api.dialects``): a Block Storage v3
subset at ``/volume`` (Cinder's shapes) over the volume service API.

The catalog names it ``block-storage`` and ``volumev3`` at
``/volume/v3``; ``/volume/v3/{project_id}/...`` (the older URL form) is
served too, for the caller's own project.
"""

import json

import pecan

from nimbus.api import faults, http
from nimbus.api.volume import microversion, root
from nimbus.core import exception

_PUBLIC = {"/volume", "/volume/", "/volume/v3", "/volume/v3/",
           "/volume/v3/openapi.json"}
_NAMES = {
    400: "badRequest", 401: "unauthorized", 403: "forbidden",
    404: "itemNotFound", 405: "badMethod", 406: "notAcceptable",
    409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
    501: "notImplemented", 503: "serviceUnavailable",
}


def is_public(request):
    return request.method in ("GET", "HEAD") and request.path in _PUBLIC


class MicroversionHook(pecan.hooks.PecanHook):
    """Parse ``OpenStack-API-Version: volume X`` and echo the answer."""

    priority = 20

    def on_route(self, state):
        request = state.request
        if is_public(request):
            return
        request.context["volume_version"] = microversion.requested(
            request.headers)

    def after(self, state):
        version = state.request.context.get("volume_version")
        if version is not None:
            for name, value in microversion.response_headers(version):
                state.response.headers[name] = value


class VolumeDialect(http.AuthenticatedDialect):
    """Block Storage v3: versions, volumes (CRUD, extend, upload to
    image), snapshots (CRUD)."""

    prefixes = ("volume",)
    root_class = root.VolumeRoot
    is_public = staticmethod(is_public)

    def __init__(self, conf, services):
        super().__init__(conf, services)
        self._version_hook = MicroversionHook()

    def hooks(self):
        return super().hooks() + [self._version_hook]

    def error_response(self, request, error):
        mapped = faults.fault(request, error)
        if isinstance(error, exception.OverQuota):
            # Cinder answers a quota refusal with 413 overLimit.
            mapped = faults.Fault(413, mapped.message, mapped.headers)
        name = _NAMES.get(mapped.status, "computeFault")
        body = {name: {"code": mapped.status, "message": mapped.message}}
        return faults.response(mapped, "application/json", json.dumps(body))
