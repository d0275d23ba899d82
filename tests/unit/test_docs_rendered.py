"""The documentation's images are rendered from their current sources.

``tools/render-docs.sh`` records, per image, the content hash of its
text sources in ``docs/rendered.sha256``; an edited source without a
re-render fails here (content hashes, since git checkouts reset mtimes).
"""

import glob
import hashlib
import os
import re

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
MANIFEST = os.path.join(ROOT, "docs", "rendered.sha256")
DIAGRAMS = ("deployment", "logical-view", "api-startup", "post-servers")


def _sha(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sources_hash(sources):
    """What render-docs.sh records: sha256 of the sources' sha256sums."""
    text = "".join(_sha(s) + "\n" for s in sources)
    return hashlib.sha256(text.encode()).hexdigest()


def manifest():
    entries = {}
    with open(MANIFEST) as f:
        for line in f:
            digest, image, *sources = line.split()
            entries[image] = (digest, sources)
    return entries


def test_every_image_is_rendered_from_its_current_sources():
    stale = [f"{image} (from {' '.join(sources)})"
             for image, (digest, sources) in manifest().items()
             if sources_hash(sources) != digest]
    assert stale == [], (f"re-run tools/render-docs.sh: {stale} are older "
                         f"than their sources")


def test_every_source_has_an_image():
    entries = manifest()
    for image in entries:
        assert os.path.exists(os.path.join(ROOT, image)), image
    dots = {os.path.relpath(p, ROOT) for p in
            glob.glob(os.path.join(ROOT, "docs", "*.dot"))}
    rendered = {s for _, sources in entries.values() for s in sources}
    assert dots <= rendered, dots - rendered
    assert any(i.startswith("docs/bench-") for i in entries)


def test_the_readme_links_the_four_diagrams():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    linked = set(re.findall(r"\(docs/([a-z-]+)\.png\)", readme))
    assert set(DIAGRAMS) <= linked, set(DIAGRAMS) - linked
    assert {d for d in DIAGRAMS} <= {os.path.basename(i)[:-4]
                                     for i in manifest()}
