#!/usr/bin/env bash
# Make DIR a virtualenv holding a real OpenStack Barbican from PyPI and
# gunicorn to serve it, for tests/integration/barbican (the key manager
# castellan reads image-signing certificates from). It is separate from
# nimbus's venv because Barbican pins its own oslo libraries.
# Idempotent: a DIR whose python imports Barbican's API application and
# gunicorn, with Barbican's paste configuration beside it, is left as it
# is.
set -euo pipefail
DIR=${1:?usage: $0 DIR}
BARBICAN=${NIMBUS_BARBICAN_VERSION:-23.0.0}
GUNICORN=${NIMBUS_GUNICORN_VERSION:-27.0.1}

log() { printf '[setup-barbican %4ds] %s\n' "$SECONDS" "$*"; }

working() {
  [ -x "$DIR/bin/python" ] \
    && [ -f "$DIR/etc/barbican/barbican-api-paste.ini" ] \
    && "$DIR/bin/python" -W ignore -c \
      'import gunicorn.app.base, paste.deploy, barbican.api.app' \
      >/dev/null 2>&1
}

if working; then
  log "$DIR is ready"
  exit 0
fi
log "installing barbican $BARBICAN and gunicorn $GUNICORN into $DIR"
[ -x "$DIR/bin/python" ] || python3 -m venv "$DIR"
if ! { "$DIR/bin/pip" install -q --upgrade pip \
       && "$DIR/bin/pip" install -q "barbican==$BARBICAN" \
            "gunicorn==$GUNICORN"; } >"$DIR/install.log" 2>&1; then
  tail -20 "$DIR/install.log"
  log "install failed (full log: $DIR/install.log)"
  exit 1
fi
working || { log "$DIR does not import barbican"; exit 1; }
log "ready"
