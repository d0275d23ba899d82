#!/usr/bin/env bash
# Make DIR a virtualenv holding a real OpenStack Glance from PyPI (and
# gunicorn: Glance has no standalone server any more, its API is a WSGI
# application), for tests/integration/glance. Ready when it runs
# glance-manage and imports Glance's WSGI module, keystonemiddleware and
# gunicorn.
set -euo pipefail
DIR=${1:?usage: $0 DIR}
exec "$(dirname "$0")/openstack-venv.sh" glance \
  "${NIMBUS_GLANCE_VERSION:-33.0.0}" "$DIR" '
import os, sys
import gunicorn.app.base, glance.common.wsgi_app
import keystonemiddleware.auth_token
assert os.access(os.path.join(sys.prefix, "bin", "glance-manage"), os.X_OK)'
