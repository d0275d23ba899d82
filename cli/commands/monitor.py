"""``nimbus monitor queues`` and ``nimbus monitor top``: what an operator
watches to decide when to scale a service out.

Queue statistics come from the broker itself (RabbitMQ's management
API, or ``rabbitmqctl`` on the broker's host), so they need the
deployment's ``transport_url``: ``--transport-url``, or the one in
``--config-file`` (default ``/etc/nimbus/nimbus.conf``), or the
``NIMBUS_TRANSPORT_URL`` environment variable.
"""

import configparser
import os
import shutil
import time

from nimbus.cli import errors, rest
from nimbus.cli.commands import base

_DEFAULT_CONFIG = "/etc/nimbus/nimbus.conf"
_COLUMNS = ("Queue", "Service", "Messages", "Ready", "Unacked", "Bytes",
            "Consumers", "Publish/s", "Deliver/s", "Hint")


def add_broker_arguments(parser):
    parser.add_argument("--transport-url",
                        default=os.environ.get("NIMBUS_TRANSPORT_URL"),
                        help="the deployment's transport_url (env "
                             "NIMBUS_TRANSPORT_URL)")
    parser.add_argument("--config-file", default=None,
                        help="read transport_url from this nimbus.conf "
                             f"(default {_DEFAULT_CONFIG})")
    parser.add_argument("--management-url",
                        help="RabbitMQ management API (default "
                             "http://<broker host>:15672)")
    return parser


def transport_url(args):
    """The transport URL from the arguments, the config file or env."""
    if args.transport_url:
        return args.transport_url
    path = args.config_file or _DEFAULT_CONFIG
    parser = configparser.ConfigParser(interpolation=None)
    try:
        read = parser.read(path)
    except configparser.Error as err:
        raise errors.CommandError(f"Cannot parse {path}: {err}")
    url = parser.defaults().get("transport_url") if read else None
    if not url:
        raise errors.CommandError(
            f"No transport_url: give --transport-url, or --config-file with "
            f"[DEFAULT] transport_url ({path} "
            f"{'has none' if read else 'cannot be read'}).")
    return url


def _hint(row, grew):
    """Say when a service's queue keeps growing: scale that service out."""
    growth = row["growth_rate"]
    if growth is None:
        growth = grew
    if not row["messages"] or not growth or growth <= 0:
        return ""
    service = row["service"]
    if service in ("reply", "other"):
        return f"growing (+{growth:.1f}/s)"
    if row["consumers"] == 0:
        return (f"growing (+{growth:.1f}/s), no consumer: start "
                f"nimbus-{service}")
    return (f"growing (+{growth:.1f}/s): scale out nimbus-{service} "
            f"(more processes share the queue)")


def sample(url, management_url, interval):
    """Queue rows with a ``hint``; without broker rates, two samples
    ``interval`` seconds apart give the growth."""
    from nimbus.core import broker, exception
    try:
        rows, source = broker.queue_stats(url, management_url)
        grew = {}
        if any(r["growth_rate"] is None for r in rows) and interval > 0:
            before = {r["queue"]: r["messages"] for r in rows}
            time.sleep(interval)
            rows, source = broker.queue_stats(url, management_url)
            grew = {r["queue"]: (r["messages"] - before.get(r["queue"], 0))
                    / interval for r in rows}
    except exception.NimbusException as err:
        raise errors.CommandError(str(err))
    for row in rows:
        row["hint"] = _hint(row, grew.get(row["queue"]))
        row["source"] = source
    return rows


def _rate(value):
    return "" if value is None else round(value, 2)


class ShowQueues(base.Lister):
    """Show each service topic's queue: messages, bytes, consumers, rates
    (from the broker), with a hint when a queue keeps growing."""

    def get_parser(self, prog_name):
        parser = add_broker_arguments(super().get_parser(prog_name))
        parser.add_argument("--all", action="store_true",
                            help="also the reply and fanout queues")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between the two samples taken "
                                 "when the broker gives no rates")
        return parser

    def take_action(self, args):
        rows = sample(transport_url(args), args.management_url,
                      args.interval)
        if not args.all:
            rows = [r for r in rows if r["service"] not in ("reply",
                                                            "other")
                    and "_fanout_" not in r["queue"]]
        return _COLUMNS, [
            (r["queue"], r["service"], r["messages"], r["ready"],
             r["unacked"], "" if r["bytes"] is None else r["bytes"],
             r["consumers"], _rate(r["publish_rate"]),
             _rate(r["deliver_rate"]), r["hint"]) for r in rows]


class Top(base.Command):
    """A live view for the console: services up/down, queue depths,
    builds in flight and rates, refreshed every --interval seconds."""

    def get_parser(self, prog_name):
        parser = add_broker_arguments(super().get_parser(prog_name))
        parser.add_argument("--interval", type=float, default=2.0,
                            help="seconds between refreshes (default 2)")
        parser.add_argument("--iterations", type=int, default=0,
                            help="stop after N refreshes (default: until "
                                 "Ctrl-C)")
        return parser

    @errors.translated
    def take_action(self, args):
        url = None
        try:
            url = transport_url(args)
        except errors.CommandError:
            pass  # services and builds still show
        conn = self.app.connection
        previous = None
        count = 0
        try:
            while True:
                snapshot = _snapshot(conn, url, args.management_url)
                frame = render(snapshot, previous, args.interval)
                out = self.app.stdout
                if out.isatty():
                    out.write("\x1b[H\x1b[2J")
                out.write(frame + "\n")
                out.flush()
                previous = snapshot
                count += 1
                if args.iterations and count >= args.iterations:
                    return
                time.sleep(args.interval)
        except KeyboardInterrupt:
            return


def _snapshot(conn, url, management_url):
    services = rest.get(conn, "/os-services")["services"]
    servers = rest.get(conn, "/servers/detail?all_tenants=1")["servers"]
    queues, queue_error = [], None
    if url:
        try:
            queues = sample(url, management_url, 0)
        except errors.CommandError as err:
            queue_error = str(err)
    return {"time": time.monotonic(), "services": services,
            "servers": servers, "queues": queues,
            "queue_error": queue_error if url else
            "no transport_url (--transport-url / --config-file)"}


def _process_name(binary):
    """The daemon an operator runs: the Compute API names services as
    Nova does (``nova-scheduler``), this view as the processes are
    named (``nimbus-scheduler``)."""
    if binary.startswith("nova-"):
        return "nimbus-" + binary[len("nova-"):]
    return binary


def render(snap, previous, interval):
    """One screen of ``monitor top`` as text."""
    width = shutil.get_terminal_size((100, 30)).columns
    lines = [time.strftime("nimbus top  %H:%M:%S").ljust(width)[:width]]
    up = sum(s["state"] == "up" for s in snap["services"])
    lines.append(f"services: {up} up, {len(snap['services']) - up} down")
    for s in sorted(snap["services"], key=lambda s: (s["binary"],
                                                     s["host"])):
        lines.append(f"  {_process_name(s['binary']):<18} {s['host']:<20}"
                     f" {s['state']:<5} {s['status']}")
    servers = snap["servers"]
    building = [s for s in servers if s["status"] == "BUILD"]
    by_status = {}
    for s in servers:
        by_status[s["status"]] = by_status.get(s["status"], 0) + 1
    lines.append(f"servers: {len(servers)} ("
                 + ", ".join(f"{k} {v}" for k, v in sorted(
                     by_status.items())) + ")")
    lines.append(f"builds in flight: {len(building)}")
    if previous is not None:
        seconds = max(snap["time"] - previous["time"], 1e-6)
        before = {s["id"]: s["status"] for s in previous["servers"]}
        activated = sum(1 for s in servers if s["status"] == "ACTIVE"
                        and before.get(s["id"]) != "ACTIVE")
        lines.append(f"rates: {activated / seconds:.2f} builds "
                     f"finished/s, {(len(servers) - len(before)) / seconds:+.2f}"
                     f" servers/s")
    lines.append("queues:" + (f" ({snap['queue_error']})"
                              if snap["queue_error"] else ""))
    for q in snap["queues"]:
        if q["service"] in ("reply", "other") or "_fanout_" in q["queue"]:
            continue
        lines.append(f"  {q['queue']:<28} {q['messages']:>7} msgs "
                     f"{q['consumers']:>3} consumers  {q['hint']}")
    return "\n".join(line[:width] for line in lines)
