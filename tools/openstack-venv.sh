#!/usr/bin/env bash
# Make DIR a virtualenv holding one real OpenStack service from PyPI and
# gunicorn to serve it (tests/integration/gunicorn_app.py), for that
# service's integration suite. It is separate from nimbus's venv because
# each service pins its own oslo libraries. Idempotent: a DIR where READY
# (python code run by DIR's python) succeeds is left as it is.
# Usage: openstack-venv.sh NAME VERSION DIR READY
# (tools/setup-keystone.sh, setup-glance.sh and setup-barbican.sh call it).
set -euo pipefail
NAME=${1:?usage: $0 NAME VERSION DIR READY}
VERSION=${2:?usage: $0 NAME VERSION DIR READY}
DIR=${3:?usage: $0 NAME VERSION DIR READY}
READY=${4:?usage: $0 NAME VERSION DIR READY}
GUNICORN=${NIMBUS_GUNICORN_VERSION:-27.0.1}

log() { printf '[setup-%s %4ds] %s\n' "$NAME" "$SECONDS" "$*"; }

working() {
  [ -x "$DIR/bin/python" ] \
    && "$DIR/bin/python" -W ignore -c "$READY" >/dev/null 2>&1
}

if working; then
  log "$DIR is ready"
  exit 0
fi
log "installing $NAME $VERSION and gunicorn $GUNICORN into $DIR"
[ -x "$DIR/bin/python" ] || python3 -m venv "$DIR"
if ! { "$DIR/bin/pip" install -q --upgrade pip \
       && "$DIR/bin/pip" install -q "$NAME==$VERSION" \
            "gunicorn==$GUNICORN"; } >"$DIR/install.log" 2>&1; then
  tail -20 "$DIR/install.log"
  log "install failed (full log: $DIR/install.log)"
  exit 1
fi
working || { log "$DIR does not import $NAME"; exit 1; }
log "ready"
