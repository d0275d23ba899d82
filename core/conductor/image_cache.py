"""Image pre-caching across an aggregate (conductor RPC 1.6, Compute API
2.81): conductor asks each compute host of the aggregate that is up to
copy the images into its image cache, ``[conductor]
precache_concurrency`` hosts at a time, and logs what each host did.
Hosts that are down are skipped; one host failing does not stop the
others."""

from concurrent import futures

from oslo_log import log as logging

from nimbus.core import servicegroup

LOG = logging.getLogger(__name__)


class ImageCacheTasksMixin:
    """``compute_task`` cache_images; mixed into
    :class:`nimbus.core.conductor.tasks.ComputeTaskManager`."""

    def cache_images(self, context, aggregate_id, image_ids):
        """Have the aggregate's hosts cache ``image_ids``.

        :returns: ``{host: {image_id: result} | "skipped" | "error"}``
            (see :mod:`nimbus.core.compute.manager_image_cache`).
        """
        hosts = self.db.aggregates.get(context, aggregate_id)["hosts"]
        services = {s["host"]: s for s in self.db.services.get_all(
            context, binary="nimbus-compute")}
        up = [h for h in hosts if h in services
              and servicegroup.is_up(self.conf, services[h])]
        summary = {h: "skipped" for h in hosts if h not in up}
        if summary:
            LOG.info("Image pre-caching skips hosts that are down: %s",
                     ", ".join(sorted(summary)))

        def ask(host):
            try:
                return self.compute.cache_images(context, host, image_ids)
            except Exception as err:
                LOG.warning("Pre-caching on %(host)s failed: %(err)s",
                            {"host": host, "err": err})
                return "error"
        if up:
            workers = min(len(up), self.conf.conductor.precache_concurrency)
            with futures.ThreadPoolExecutor(workers) as pool:
                summary.update(zip(up, pool.map(ask, up), strict=True))
        LOG.info("Pre-cached images %(images)s on aggregate %(agg)s: "
                 "%(summary)s", {"images": ", ".join(image_ids),
                                 "agg": aggregate_id, "summary": summary})
        return summary
