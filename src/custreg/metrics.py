"""Prometheus metrics of one app (GET /metrics, scope `admin`): requests by method, route
template and status, their durations, the database pool, the process.

Each app has a registry of its own (`Metrics`, made by `app.create_app`): nothing is
registered at import time, so two apps in one process (tests) never share or clash. The
request figures are kept in plain dicts written by `observe.Observe` on the event loop (no
lock, no prometheus object per request) and turned into metric families when scraped.
Figures are per worker process: with several workers, a scrape reaches one of them."""

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.utils import floatToGoString
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

# Seconds; a GET of one customer takes about 1 ms.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LE = [floatToGoString(b) for b in BUCKETS]
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LABELS = ["method", "route", "status"]


class RequestStats:
    """Count, duration sum and duration buckets per (method, route template, status)."""

    def __init__(self) -> None:
        # key → [sum of seconds, count per bucket..., count over the last bucket]
        self._series: dict[tuple[str, str, int], list[float]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            if method not in METHODS:  # a label value per invented method would grow without bound
                key = ("OTHER", route, status)
            series = self._series.setdefault(key, [0.0] * (len(BUCKETS) + 2))
        series[0] += seconds
        series[1 + bisect_left(BUCKETS, seconds)] += 1

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "custreg_http_requests", "Requests answered, by method, route template and status", labels=LABELS
        )
        durations = HistogramMetricFamily(
            "custreg_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer, by method, route template and status",
            labels=LABELS,
        )
        for (method, route, status), series in sorted(self._series.copy().items()):
            counts = [int(n) for n in series[1:]]
            total = sum(counts)
            labels = [method, route, str(status)]
            requests.add_metric(labels, total)
            buckets, cumulative = [], 0
            for le, n in zip(_LE, counts):
                cumulative += n
                buckets.append((le, cumulative))
            buckets.append(("+Inf", total))
            durations.add_metric(labels, buckets, sum_value=series[0])
        yield requests
        yield durations


class PoolStats:
    """The database connection pool, read when scraped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):
            return
        in_use, idle = pool.checkedout(), pool.checkedin()
        yield GaugeMetricFamily("custreg_db_pool_size", "Connections the pool keeps open", value=pool.size())
        yield GaugeMetricFamily(
            "custreg_db_pool_max_overflow", "Connections the pool may open beyond its size", value=pool._max_overflow
        )
        conns = GaugeMetricFamily("custreg_db_pool_connections", "Open connections of the pool", labels=["state"])
        conns.add_metric(["in_use"], in_use)
        conns.add_metric(["idle"], idle)
        yield conns


class Metrics:
    """One app's registry: requests, the database pool, the process."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        self.requests = RequestStats()
        self.registry.register(self.requests)
        self.registry.register(PoolStats(engine))
        ProcessCollector(registry=self.registry)  # process_cpu_seconds_total, ... (Linux)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The metrics in the format the scraper asks for (Prometheus text, or OpenMetrics)."""
        encode, content_type = choose_encoder(accept or "")
        return encode(self.registry), content_type
