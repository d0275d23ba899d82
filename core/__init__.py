"""nimbus.core: the kernel (interfaces, conf, db, objects, rpc, services).

NOTE: oslo.messaging imports oslo.service, whose default backend is
eventlet. nimbus runs on threads only (no eventlet, no monkey patching), so
the threading backend is chosen here, before anything imports
oslo.messaging.
"""

import warnings

# futurist probes for eventlet (an indirect dependency) by importing it;
# that import is all that happens, and its deprecation notice is noise.
warnings.filterwarnings("ignore", message="\nEventlet is deprecated")

from oslo_service import backend as _oslo_service_backend  # noqa: E402

if _oslo_service_backend.get_backend_type() is None:
    _oslo_service_backend.init_backend(
        _oslo_service_backend.BackendType.THREADING)
