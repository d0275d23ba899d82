#!/usr/bin/env bash
# Check the import contracts in .importlinter.
#
# nimbus maps root folders (core/, plugins/, api/, cli/) onto one package
# through setuptools' editable finder, which import-linter cannot follow;
# so the sources are laid out as a plain "nimbus" package in a temporary
# directory and checked there.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/nimbus"
echo '"""nimbus (laid out for import-linter)."""' > "$tmp/nimbus/__init__.py"
for d in core plugins api cli; do
  (cd "$d" && find . -name '*.py' -not -path '*/__pycache__/*' \
    -exec install -D -m 644 {} "$tmp/nimbus/$d/{}" \;)
done
PYTHONPATH="$tmp" exec lint-imports --no-cache --config "$PWD/.importlinter"
