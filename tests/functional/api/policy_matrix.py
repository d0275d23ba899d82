"""Shared machinery of the policy matrix tests.

A matrix row names one route (method, path template, and for ``/action``
routes the action) with the status each caller must get. Templates are
filled per caller from :class:`Env` ids; a row with ``fresh`` asks a
factory for a resource made for that caller alone, so a destructive
route's result for one role never depends on another role's call.
"""

import dataclasses
import re
import time

import requests

CALLERS = ("admin", "member", "reader", "other")
DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
SERVER = {"server": {"name": "p", "imageRef": DEMO_IMAGE,
                     "flavorRef": "1"}}


def codes(admin, member, reader, other):
    return dict(zip(CALLERS, (admin, member, reader, other), strict=True))


def same(code):
    return codes(code, code, code, code)


ALL_OK = same(200)
ADMIN_ONLY = codes(200, 403, 403, 403)
OWNER_READ = codes(200, 200, 200, 404)
OWNER_WRITE = codes(200, 200, 403, 404)
ACTION_WRITE = codes(202, 202, 403, 404)
OWNER_DELETE = codes(204, 204, 403, 404)


@dataclasses.dataclass
class Row:
    """One route and what each caller gets from it.

    :param template: path with ``{name}`` placeholders filled from the
        environment's ids (and the ``fresh`` factory's, per caller).
    :param body: JSON body, or ``bytes`` sent as octet-stream, or
        ``callable(ids) -> body`` for a body naming placeholder ids.
    :param fresh: ``callable(env, who) -> dict`` of placeholder values
        naming a resource made for this caller only.
    """

    method: str
    template: str
    expected: dict
    body: object = None
    action: str = None
    fresh: object = None
    query: dict = None
    headers: dict = None

    def route(self):
        return (self.method, normalize(self.template), self.action)


def action(template, name, args, expected, fresh=None):
    return Row("POST", template, expected, {name: args}, action=name,
               fresh=fresh)


def normalize(path):
    """``/a/{x}/b`` -> ``/a/{}/b`` (placeholder names do not matter)."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def covers(row_route, required):
    """Whether a matrix route serves a required (method, path, action);
    a placeholder in the required path matches any segment, and no
    required action any action."""
    method, path, act = row_route
    r_method, r_path, r_act = required
    if method != r_method or r_act not in (None, act):
        return False
    mine, theirs = path.split("/"), r_path.split("/")
    return len(mine) == len(theirs) and all(
        t == "{}" or m == t for m, t in zip(mine, theirs, strict=True))


def missing(rows, required):
    """The required routes no row covers."""
    routes = {row.route() for row in rows}
    return sorted(r for r in required
                  if not any(covers(mine, r) for mine in routes))


class Env:
    """Tokens of every caller, ids of shared resources, and a client."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.url = cloud.url
        self.tokens = {who: cloud.token(who) for who in CALLERS}
        self.ids = {"demo": cloud.project_ids["demo"],
                    "other_project": cloud.project_ids["other"]}
        self.seq = 0

    def unique(self, prefix):
        self.seq += 1
        return f"{prefix}-{self.seq}"

    def request(self, who, method, path, body=None, query=None,
                headers=None):
        headers = dict(headers or {}, **{"X-Auth-Token":
                                         self.tokens[who]})
        kwargs = {"json": body}
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/octet-stream"
            kwargs = {"data": body}
        return requests.request(method, self.url + path, params=query,
                                headers=headers, timeout=30, **kwargs)

    def call(self, who, method, path, body=None, **kwargs):
        """A set-up call that must succeed; return its JSON."""
        resp = self.request(who, method, path, body, **kwargs)
        assert resp.status_code < 300, (method, path, resp.text)
        return resp.json() if resp.content else None

    def wait_servers(self, ids, status, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            servers = self.call("admin", "GET", "/v2.1/servers/detail",
                                query={"all_tenants": "1"})["servers"]
            states = {s["id"]: s for s in servers if s["id"] in ids}
            if all(states[i]["status"] == status and
                   not states[i].get("OS-EXT-STS:task_state")
                   for i in ids):
                return
            assert time.monotonic() < deadline, (status, [
                (s["status"], s.get("OS-EXT-STS:task_state"))
                for s in states.values()])
            time.sleep(0.1)


def fill(body, ids):
    """``body`` with ``{name}`` placeholders in its strings filled."""
    if isinstance(body, str):
        return body.format(**ids) if "{" in body else body
    if isinstance(body, dict):
        return {k: fill(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [fill(v, ids) for v in body]
    return body


def run(env, rows):
    """Call every row as every caller; return the mismatches."""
    wrong = []
    for row in rows:
        for who in CALLERS:
            ids = dict(env.ids)
            if row.fresh is not None:
                ids.update(row.fresh(env, who))
            path = row.template.format(**ids)
            body = (row.body(ids) if callable(row.body)
                    else fill(row.body, ids))
            query, headers = (
                {k: v.format(**ids) for k, v in (given or {}).items()}
                for given in (row.query, row.headers))
            resp = env.request(who, row.method, path, body, query,
                               headers)
            if resp.status_code != row.expected[who]:
                wrong.append((row.method, path, row.action, who,
                              resp.status_code, row.expected[who],
                              resp.text[:120]))
    return wrong
