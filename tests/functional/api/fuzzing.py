"""Schemathesis over a dialect's OpenAPI document, against the stack
running in this process, with its logs watched for tracebacks.

``run(url, examples)`` returns schemathesis's output after checking it
reported no server error and tested at least ``at_least`` cases;
``Tracebacks`` collects every log record that carries an exception or a
traceback while it is attached.
"""

import contextlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile

import requests

BIN = os.path.dirname(sys.executable)
HOOKS = os.path.join(os.path.dirname(__file__), "st_hooks.py")


class Tracebacks(logging.Handler):
    """Every record with ``exc_info`` or a ``Traceback`` in its text."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.found = []

    def emit(self, record):
        if record.exc_info or "Traceback" in record.getMessage():
            self.found.append(f"{record.name}: {self.format(record)}")


@contextlib.contextmanager
def watched_logs():
    """Attach :class:`Tracebacks` to the root logger (and every logger
    that does not propagate) for the block."""
    handler = Tracebacks()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def with_known_ids(document, known):
    """``document`` whose path parameters named in ``known`` (``{name:
    [ids]}``) draw from those real ids as often as from any string, so
    the run reaches past "not found" to each operation's own checks."""
    for methods in document["paths"].values():
        for operation in methods.values():
            for param in operation.get("parameters", ()):
                if param["in"] == "path" and param["name"] in known:
                    param["schema"] = {"anyOf": [
                        {"enum": list(known[param["name"]])},
                        param["schema"]]}
    return document


def run(url, examples, at_least, token="admin:admin", known=None,
        timeout=300):
    """Run schemathesis (examples, coverage and fuzzing phases; seeded)
    over the document at ``url`` (see :func:`with_known_ids` for
    ``known``); assert 0 responses >= 500. Returns "N generated, N
    passed"."""
    document = with_known_ids(requests.get(url, timeout=10).json(),
                              known or {})
    with tempfile.NamedTemporaryFile("w", suffix=".json") as doc:
        json.dump(document, doc)
        doc.flush()
        result = subprocess.run(
            [f"{BIN}/st", "run", doc.name,
             "--url", document["servers"][0]["url"],
             "--checks", "not_a_server_error",
             "--max-examples", str(examples), "--seed", "1",
             "--phases", "examples,coverage,fuzzing", "--workers", "1",
             "--request-timeout", "10", "-H", f"X-Auth-Token: {token}"],
            capture_output=True, text=True, timeout=timeout,
            env=dict(os.environ, SCHEMATHESIS_HOOKS=HOOKS))
    assert result.returncode == 0, result.stdout[-6000:]
    summary = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert summary and int(summary.group(2)) >= at_least, \
        result.stdout[-2000:]
    assert "failed" not in result.stdout.rsplit("SUMMARY", 1)[-1]
    return summary.group(0)
