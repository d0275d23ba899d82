#!/usr/bin/env bash
# Make DIR a virtualenv holding a real OpenStack Glance from PyPI and
# gunicorn to serve it (Glance has no standalone server any more: its API
# is a WSGI application), for tests/integration/glance. It is separate
# from nimbus's venv because Glance pins its own oslo libraries, as
# Keystone does (tools/setup-keystone.sh).
# Idempotent: a DIR that already runs glance-manage and imports Glance's
# WSGI module, keystonemiddleware and gunicorn is left as it is.
set -euo pipefail
DIR=${1:?usage: $0 DIR}
GLANCE=${NIMBUS_GLANCE_VERSION:-33.0.0}
GUNICORN=${NIMBUS_GUNICORN_VERSION:-27.0.1}

log() { printf '[setup-glance %4ds] %s\n' "$SECONDS" "$*"; }

working() {
  [ -x "$DIR/bin/glance-manage" ] && [ -x "$DIR/bin/python" ] \
    && "$DIR/bin/python" -W ignore -c 'import gunicorn.app.base
import glance.common.wsgi_app, keystonemiddleware.auth_token' \
      >/dev/null 2>&1
}

if working; then
  log "$DIR is ready"
  exit 0
fi
log "installing glance $GLANCE and gunicorn $GUNICORN into $DIR"
[ -x "$DIR/bin/python" ] || python3 -m venv "$DIR"
if ! { "$DIR/bin/pip" install -q --upgrade pip \
       && "$DIR/bin/pip" install -q "glance==$GLANCE" \
            "gunicorn==$GUNICORN"; } \
       >"$DIR/install.log" 2>&1; then
  tail -20 "$DIR/install.log"
  log "install failed (full log: $DIR/install.log)"
  exit 1
fi
working || { log "$DIR does not import glance"; exit 1; }
log "ready"
