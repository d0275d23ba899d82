#!/usr/bin/env bash
# Make DIR a virtualenv holding a real OpenStack Keystone from PyPI and
# gunicorn to serve it, for tests/integration/keystone. It is separate
# from nimbus's venv because Keystone pins its own oslo libraries.
# Idempotent: a DIR that already runs keystone-manage and imports the
# Keystone WSGI application and gunicorn is left as it is.
set -euo pipefail
DIR=${1:?usage: $0 DIR}
KEYSTONE=${NIMBUS_KEYSTONE_VERSION:-30.0.0}
GUNICORN=${NIMBUS_GUNICORN_VERSION:-27.0.1}

log() { printf '[setup-keystone %4ds] %s\n' "$SECONDS" "$*"; }

working() {
  [ -x "$DIR/bin/keystone-manage" ] && [ -x "$DIR/bin/python" ] \
    && "$DIR/bin/python" -W ignore -c \
      'import gunicorn.app.base, keystone.server.wsgi' >/dev/null 2>&1
}

if working; then
  log "$DIR is ready"
  exit 0
fi
log "installing keystone $KEYSTONE and gunicorn $GUNICORN into $DIR"
[ -x "$DIR/bin/python" ] || python3 -m venv "$DIR"
if ! { "$DIR/bin/pip" install -q --upgrade pip \
       && "$DIR/bin/pip" install -q "keystone==$KEYSTONE" \
            "gunicorn==$GUNICORN"; } >"$DIR/install.log" 2>&1; then
  tail -20 "$DIR/install.log"
  log "install failed (full log: $DIR/install.log)"
  exit 1
fi
working || { log "$DIR does not import keystone"; exit 1; }
log "ready"
