#!/usr/bin/env bash
# Make DIR a virtualenv holding a real OpenStack Keystone from PyPI (and
# gunicorn), for tests/integration/keystone and the suites that need a
# Keystone. Ready when it runs keystone-manage and imports Keystone's WSGI
# application and gunicorn.
set -euo pipefail
DIR=${1:?usage: $0 DIR}
exec "$(dirname "$0")/openstack-venv.sh" keystone \
  "${NIMBUS_KEYSTONE_VERSION:-30.0.0}" "$DIR" '
import os, sys
import gunicorn.app.base, keystone.server.wsgi
assert os.access(os.path.join(sys.prefix, "bin", "keystone-manage"), os.X_OK)'
