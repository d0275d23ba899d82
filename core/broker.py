"""What the message broker says about nimbus's queues.

Operators scale conductors and schedulers by the number and size of the
messages waiting in their queues. Two views:

* :func:`queue_stats`: every queue of the deployment's virtual host with
  counts, bytes, consumers and rates, from RabbitMQ's management HTTP
  API (``rabbitmq_management``), or ``rabbitmqctl list_queues`` on the
  broker's own host when the API is not enabled;
* :func:`declared_depths`: a passive ``queue.declare`` over AMQP for the
  named queues (message and consumer counts only), which needs nothing
  but the transport URL: the conductor's metrics use it.
"""

import base64
import json
import subprocess
import urllib.parse
import urllib.request

from oslo_config import cfg

from nimbus.core import exception

#: topics of the services, in the order ``nimbus monitor`` lists them.
TOPICS = ("conductor", "scheduler", "compute", "network", "volume")


#: transport URL schemes of a RabbitMQ broker.
RABBIT_SCHEMES = ("rabbit", "amqp", "kombu")


def _parsed(transport_url):
    import oslo_messaging as messaging
    return messaging.TransportURL.parse(cfg.ConfigOpts(), transport_url)


def _names_rabbit(url):
    return (url.transport or "").split("+")[0] in RABBIT_SCHEMES


def is_rabbit(transport_url):
    """Whether ``transport_url`` names a RabbitMQ broker."""
    return _names_rabbit(_parsed(transport_url))


def parse_url(transport_url):
    """``(host, port, user, password, vhost)`` of a rabbit transport URL.

    :raises ConfigError: not a RabbitMQ URL (e.g. ``fake://``).
    """
    url = _parsed(transport_url)
    if not _names_rabbit(url):
        raise exception.ConfigError(reason=(
            f"a RabbitMQ transport_url is needed, not "
            f"'{url.transport}://'"))
    if not url.hosts or not url.hosts[0].hostname:
        raise exception.ConfigError(reason=(
            "transport_url names no broker host"))
    host = url.hosts[0]
    return (host.hostname, host.port or 5672, host.username or "guest",
            host.password or "guest", url.virtual_host or "/")


def service_of(queue):
    """The service a queue feeds: ``compute.host1`` -> ``compute``,
    ``reply_ab12`` -> ``reply``, ``conductor_fanout_…`` -> ``conductor``."""
    if queue.startswith("reply_"):
        return "reply"
    base = queue.split(".", 1)[0].split("_fanout_", 1)[0]
    return base if base in TOPICS else "other"


def _row(name, messages, ready, unacked, size, consumers, publish=None,
         deliver=None, growth=None):
    return {"queue": name, "service": service_of(name),
            "messages": messages or 0, "ready": ready or 0,
            "unacked": unacked or 0, "bytes": size,
            "consumers": consumers or 0, "publish_rate": publish,
            "deliver_rate": deliver, "growth_rate": growth}


def _rate(stats, key):
    details = (stats or {}).get(key + "_details") or {}
    return details.get("rate")


def from_management(transport_url, management_url=None, timeout=5):
    """Queue rows from the management HTTP API.

    :raises OSError: the API does not answer.
    """
    host, _port, user, password, vhost = parse_url(transport_url)
    base = (management_url or f"http://{host}:15672").rstrip("/")
    request = urllib.request.Request(
        f"{base}/api/queues/{urllib.parse.quote(vhost, safe='')}",
        headers={"Authorization": "Basic " + base64.b64encode(
            f"{user}:{password}".encode()).decode()})
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        queues = json.load(resp)
    rows = []
    for q in queues:
        stats = q.get("message_stats") or {}
        rows.append(_row(
            q["name"], q.get("messages"), q.get("messages_ready"),
            q.get("messages_unacknowledged"), q.get("message_bytes"),
            q.get("consumers"), _rate(stats, "publish"),
            _rate(stats, "deliver_get"), _rate(q, "messages")))
    return rows


def from_rabbitmqctl(transport_url, timeout=15):
    """Queue rows from ``rabbitmqctl list_queues`` (broker's host only;
    no rates).

    :raises OSError: rabbitmqctl is missing or fails.
    """
    vhost = parse_url(transport_url)[4]
    try:
        out = subprocess.run(
            ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name",
             "messages", "messages_ready", "messages_unacknowledged",
             "message_bytes", "consumers", "--formatter", "json"],
            capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.CalledProcessError as err:
        raise OSError(err.stderr.strip() or str(err))
    except subprocess.TimeoutExpired as err:
        raise OSError(str(err))
    return [_row(q["name"], q.get("messages"), q.get("messages_ready"),
                 q.get("messages_unacknowledged"), q.get("message_bytes"),
                 q.get("consumers")) for q in json.loads(out.stdout or "[]")]


def queue_stats(transport_url, management_url=None):
    """``(rows, source)``: every queue of the vhost, sorted by service
    then name; ``source`` says which interface answered.

    :raises ConfigError: not a RabbitMQ URL, or neither interface
        answered (one line naming both failures).
    """
    try:
        rows, source = from_management(transport_url, management_url), \
            "management API"
    except OSError as mgmt_err:
        try:
            rows, source = from_rabbitmqctl(transport_url), "rabbitmqctl"
        except OSError as ctl_err:
            raise exception.ConfigError(reason=(
                f"cannot read queue statistics: management API: "
                f"{mgmt_err}; rabbitmqctl: {ctl_err} (enable "
                f"rabbitmq_management: rabbitmq-plugins enable "
                f"rabbitmq_management)"))
    order = {name: i for i, name in enumerate(TOPICS + ("reply", "other"))}
    rows.sort(key=lambda r: (order[r["service"]], r["queue"]))
    return rows, source


def declared_depths(transport_url, names, timeout=5):
    """``{queue: (messages, consumers)}`` of ``names`` by a passive
    declare; queues that do not exist are left out.

    :raises OSError: the broker does not answer.
    """
    import kombu
    host, port, user, password, vhost = parse_url(transport_url)
    depths = {}
    with kombu.Connection(hostname=host, port=port, userid=user,
                          password=password, virtual_host=vhost,
                          connect_timeout=timeout) as conn:
        for name in names:
            channel = conn.channel()
            try:
                _, messages, consumers = channel.queue_declare(
                    queue=name, passive=True)
                depths[name] = (messages, consumers)
            except Exception:  # noqa: BLE001 - NOT_FOUND closes channel
                pass
            finally:
                try:
                    channel.close()
                except Exception:  # noqa: BLE001, S110 - already closed
                    pass
    return depths
