#!/usr/bin/env bash
# Make DIR a virtualenv holding a real OpenStack Barbican from PyPI (and
# gunicorn), for tests/integration/barbican (the key manager castellan
# reads image-signing certificates from). Ready when it imports
# Barbican's API application, paste and gunicorn, with Barbican's paste
# configuration beside it.
set -euo pipefail
DIR=${1:?usage: $0 DIR}
exec "$(dirname "$0")/openstack-venv.sh" barbican \
  "${NIMBUS_BARBICAN_VERSION:-23.0.0}" "$DIR" '
import os, sys
import gunicorn.app.base, paste.deploy, barbican.api.app
assert os.path.isfile(os.path.join(
    sys.prefix, "etc", "barbican", "barbican-api-paste.ini"))'
