"""nimbus.core: the kernel (interfaces, conf, db, objects, rpc, services).

NOTE: oslo.messaging imports oslo.service, whose default backend is
eventlet. nimbus runs on threads only (no eventlet, no monkey patching), so
the threading backend is chosen here, before anything imports
oslo.messaging, and eventlet itself is kept out of the process.
"""

import sys

# eventlet is installed (oslo.service depends on it) but never used here.
# futurist, oslo.utils and oslo.privsep import it only to probe whether it
# is there, which costs every daemon and every CLI call 0.3-0.5 s of
# start-up; hidden from this process, the probes find nothing and take
# their threading paths. A library that truly needed eventlet would fail
# loudly with ImportError, never run half-green.
if "eventlet" not in sys.modules:
    sys.modules["eventlet"] = None

from oslo_service import backend as _oslo_service_backend  # noqa: E402

# Chosen, not loaded: the backend's modules are imported when something
# first asks for a component (oslo.messaging's servers do), so a CLI call
# or a tool that never runs a service does not pay for them.
_oslo_service_backend.register_backend_default_hook(
    lambda: _oslo_service_backend.BackendType.THREADING)
