#!/usr/bin/env bash
# Re-render the documentation's images from their text sources and record
# the sources' content hashes in docs/rendered.sha256, which
# tests/unit/test_docs_rendered.py compares (content, not mtimes: a git
# checkout resets mtimes).
#   docs/<name>.dot              -> docs/<name>.png     (graphviz dot)
#   docs/figures/benchmarks.json -> docs/bench-*.png    (matplotlib,
#                                    tools/plot_benchmarks.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
command -v dot >/dev/null || { echo "render-docs: graphviz 'dot' is missing" >&2; exit 1; }
manifest=docs/rendered.sha256.new
: > "$manifest"
hash() { sha256sum "$@" | awk '{print $1}' | sha256sum | awk '{print $1}'; }
for src in docs/*.dot; do
  png="${src%.dot}.png"
  dot -Tpng "$src" -o "$png"
  printf '%s  %s  %s\n' "$(hash "$src")" "$png" "$src" >> "$manifest"
done
for png in $("$PYTHON" tools/plot_benchmarks.py docs/figures/benchmarks.json -o docs); do
  printf '%s  %s  %s\n' "$(hash docs/figures/benchmarks.json tools/plot_benchmarks.py)" \
    "$png" "docs/figures/benchmarks.json tools/plot_benchmarks.py" >> "$manifest"
done
mv "$manifest" docs/rendered.sha256
cat docs/rendered.sha256
